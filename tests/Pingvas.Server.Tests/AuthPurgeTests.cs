using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>The account housekeeping chores, one pass at a time through their public RunOnceAsync.</summary>
public sealed class AuthPurgeTests : IAsyncLifetime
{
    private PingvasServer server = null!;

    public async Task InitializeAsync() => server = await PingvasServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Refresh_tokens_expired_more_than_a_day_ago_are_deleted_in_batches_and_others_kept()
    {
        var user = await server.RegisterAsync();
        var now = server.Time.GetUtcNow().UtcDateTime;
        var longExpired = Enumerable.Range(0, RefreshTokenPurge.BatchSize + 700)
            .Select(i => Token(user.Id, expiresAt: now - TimeSpan.FromDays(2) - TimeSpan.FromSeconds(i)))
            .ToList();
        var recentlyExpired = Token(user.Id, expiresAt: now - TimeSpan.FromHours(20));
        var revokedButValid = Token(user.Id, expiresAt: now + TimeSpan.FromDays(3), revokedAt: now);
        await server.QueryDbAsync(async db =>
        {
            db.RefreshTokens.AddRange([.. longExpired, recentlyExpired, revokedButValid]);
            return await db.SaveChangesAsync();
        });

        var purged = await PurgeAsync<RefreshTokenPurge>();

        Assert.Equal(longExpired.Count, purged);
        var left = await server.QueryDbAsync(db => db.RefreshTokens.Where(t => t.UserId == user.Id).Select(t => t.Id).ToListAsync());
        Assert.Equal(3, left.Count);
        Assert.Contains(recentlyExpired.Id, left);
        Assert.Contains(revokedButValid.Id, left);
        Assert.Equal(0, await PurgeAsync<RefreshTokenPurge>());

        // The user's own token from sign-up was not touched and still works.
        using var anonymous = server.CreateClient();
        var refreshed = await anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = user.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
    }

    [Fact]
    public async Task A_token_goes_a_day_after_it_expires_by_the_servers_clock()
    {
        var user = await server.RegisterAsync();
        server.Time.Advance(TokenService.RefreshTokenLifetime + TimeSpan.FromHours(23));
        Assert.Equal(0, await PurgeAsync<RefreshTokenPurge>());

        server.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(1, await PurgeAsync<RefreshTokenPurge>());
        Assert.False(await server.QueryDbAsync(db => db.RefreshTokens.AnyAsync(t => t.UserId == user.Id)));
    }

    [Fact]
    public async Task Sign_in_throttles_quiet_for_a_day_are_deleted()
    {
        using var anonymous = server.CreateClient();
        var old = $"old-{Guid.NewGuid():N}@example.com";
        await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = old, password = "guess" });
        server.Time.Advance(TimeSpan.FromHours(25));
        await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = $"new-{Guid.NewGuid():N}@example.com", password = "guess" });
        Assert.Equal(2, await server.QueryDbAsync(db => db.LoginThrottles.CountAsync()));

        Assert.Equal(1, await PurgeAsync<LoginThrottlePurge>());
        Assert.Equal(1, await server.QueryDbAsync(db => db.LoginThrottles.CountAsync()));
    }

    private Task<int> PurgeAsync<TChore>()
        where TChore : Hosting.PeriodicChore =>
        server.Services.GetRequiredService<TChore>().RunOnceAsync(CancellationToken.None);

    private static RefreshToken Token(Guid userId, DateTime expiresAt, DateTime? revokedAt = null) => new()
    {
        Id = Ids.New(),
        UserId = userId,
        FamilyId = Ids.New(),
        TokenHash = Convert.ToHexString(Guid.NewGuid().ToByteArray()),
        CreatedAt = expiresAt - TimeSpan.FromDays(30),
        ExpiresAt = expiresAt,
        RevokedAt = revokedAt,
    };
}
