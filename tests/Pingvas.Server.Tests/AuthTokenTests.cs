using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>Access tokens (who gets past the door) and refresh tokens (single-use, rotating, revocable, stored hashed).</summary>
public sealed class AuthTokenTests(DefaultServer fixture) : IClassFixture<DefaultServer>, IDisposable
{
    private readonly PingvasServer server = fixture.Server;
    private readonly HttpClient anonymous = fixture.Server.CreateClient();

    public void Dispose() => anonymous.Dispose();

    [Fact]
    public async Task Refresh_returns_a_new_working_pair_and_the_used_token_is_then_rejected()
    {
        var user = await server.RegisterAsync();

        var response = await RefreshAsync(user.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var pair = (await response.Content.ReadFromJsonAsync<RefreshBody>(Json.Options))!;
        Assert.NotEqual(user.RefreshToken, pair.RefreshToken);
        Assert.Equal(15 * 60, pair.ExpiresIn);
        using var client = server.CreateClient(pair.AccessToken);
        Assert.Equal(user.Id, (await client.GetFromJsonAsync<MeBody>("/api/v1/me", Json.Options))!.Id);

        await ProblemAssert.ReadAsync(await RefreshAsync(user.RefreshToken), HttpStatusCode.Unauthorized, "invalid_refresh_token");
    }

    [Fact]
    public async Task Reusing_a_rotated_token_revokes_its_whole_family()
    {
        var user = await server.RegisterAsync();
        var second = await RefreshOkAsync(user.RefreshToken);

        // The old token shows up again: it leaked. Its successor must die with it.
        await ProblemAssert.ReadAsync(await RefreshAsync(user.RefreshToken), HttpStatusCode.Unauthorized, "invalid_refresh_token");
        await ProblemAssert.ReadAsync(await RefreshAsync(second.RefreshToken), HttpStatusCode.Unauthorized, "invalid_refresh_token");

        // Signing in again starts a new family that works.
        var login = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = user.Password });
        var fresh = (await login.Content.ReadFromJsonAsync<AuthBody>(Json.Options))!;
        await RefreshOkAsync(fresh.RefreshToken);
    }

    [Fact]
    public async Task A_chain_of_rotations_keeps_working_as_long_as_each_token_is_used_once()
    {
        var user = await server.RegisterAsync();
        var token = user.RefreshToken;
        var seen = new HashSet<string> { token };
        for (var i = 0; i < 5; i++)
        {
            token = (await RefreshOkAsync(token)).RefreshToken;
            Assert.True(seen.Add(token), "Every rotation issues a token never seen before.");
        }

        var rows = await server.QueryDbAsync(db => db.RefreshTokens.AsNoTracking().Where(t => t.UserId == user.Id).ToListAsync());
        Assert.Equal(6, rows.Count);
        Assert.Single(rows.Select(r => r.FamilyId).Distinct());
        Assert.Single(rows, r => r.RevokedAt is null);
    }

    [Fact]
    public async Task Two_simultaneous_uses_of_one_token_rotate_once_and_kill_the_family()
    {
        // The race window is narrow: several rounds make a regression likely to show.
        for (var round = 0; round < 20; round++)
        {
            var user = await server.RegisterAsync();
            var answers = await Task.WhenAll(RefreshAsync(user.RefreshToken), RefreshAsync(user.RefreshToken), RefreshAsync(user.RefreshToken));

            var winners = answers.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
            var winner = Assert.Single(winners);
            Assert.All(answers.Except(winners), r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));

            // The token was presented again: a leak. Whichever request won, its new token dies with the family.
            var issued = (await winner.Content.ReadFromJsonAsync<RefreshBody>(Json.Options))!;
            await ProblemAssert.ReadAsync(await RefreshAsync(issued.RefreshToken), HttpStatusCode.Unauthorized, "invalid_refresh_token");
        }
    }

    [Fact]
    public async Task Logout_revokes_that_session_only()
    {
        var user = await server.RegisterAsync();
        var login = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = user.Password });
        var otherDevice = (await login.Content.ReadFromJsonAsync<AuthBody>(Json.Options))!;
        var rotated = await RefreshOkAsync(user.RefreshToken);

        var logout = await anonymous.PostAsJsonAsync("/api/v1/auth/logout", new { refreshToken = rotated.RefreshToken });
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        await ProblemAssert.ReadAsync(await RefreshAsync(rotated.RefreshToken), HttpStatusCode.Unauthorized, "invalid_refresh_token");
        await RefreshOkAsync(otherDevice.RefreshToken);
    }

    [Fact]
    public async Task Refresh_tokens_are_stored_only_as_hashes()
    {
        var user = await server.RegisterAsync();
        var next = await RefreshOkAsync(user.RefreshToken);

        var rows = await server.QueryDbAsync(db => db.RefreshTokens.AsNoTracking().Where(t => t.UserId == user.Id).ToListAsync());
        Assert.Equal(2, rows.Count);
        foreach (var row in rows)
        {
            Assert.NotEqual(user.RefreshToken, row.TokenHash);
            Assert.NotEqual(next.RefreshToken, row.TokenHash);
            Assert.DoesNotContain(user.RefreshToken, row.TokenHash, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(next.RefreshToken, row.TokenHash, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(64, row.TokenHash.Length); // a SHA-256 digest in hex
            Assert.True(row.ExpiresAt > row.CreatedAt.AddDays(29));
        }
    }

    [Fact]
    public async Task Unknown_or_missing_refresh_tokens_are_refused()
    {
        await ProblemAssert.ReadAsync(await RefreshAsync("not-a-token-we-issued"), HttpStatusCode.Unauthorized, "invalid_refresh_token");
        await ProblemAssert.ValidationAsync(await RefreshAsync(""), "refreshToken");
        await ProblemAssert.ValidationAsync(await anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new { }), "refreshToken");
        await ProblemAssert.ValidationAsync(await anonymous.PostAsJsonAsync("/api/v1/auth/logout", new { }), "refreshToken");
    }

    [Fact]
    public async Task A_refresh_token_expires_after_30_days()
    {
        // Its own server: a month on its clock would expire the tokens the other tests craft from the real time.
        await using var own = await PingvasServer.StartAsync(new TestSettings());
        var user = await own.RegisterAsync();
        var kept = await own.RegisterAsync();
        using var client = own.CreateClient();

        own.Time.Advance(TimeSpan.FromDays(29));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = kept.RefreshToken })).StatusCode);

        own.Time.Advance(TimeSpan.FromDays(2));
        var expired = await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = user.RefreshToken });
        await ProblemAssert.ReadAsync(expired, HttpStatusCode.Unauthorized, "invalid_refresh_token");
    }

    [Fact]
    public async Task Me_without_a_token_is_a_401_problem()
    {
        var response = await anonymous.GetAsync("/api/v1/me");
        await ProblemAssert.ReadAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDEifQ.")]
    public async Task Me_with_a_garbage_or_unsigned_token_is_a_401_problem(string token)
    {
        using var client = server.CreateClient(token);
        await ProblemAssert.ReadAsync(await client.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_token_crafted_with_the_server_key_passes_which_proves_the_forgeries_below_fail_for_their_flaw()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient(TestTokens.Create(server.ServerKey(), user.Id));
        Assert.Equal(user.Id, (await client.GetFromJsonAsync<MeBody>("/api/v1/me", Json.Options))!.Id);
    }

    [Fact]
    public async Task Me_with_a_token_signed_by_another_key_is_a_401_problem()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient(TestTokens.Create(TestTokens.RandomKey(), user.Id));
        await ProblemAssert.ReadAsync(await client.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Me_with_an_expired_token_is_a_401_problem()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient(TestTokens.Create(server.ServerKey(), user.Id, expiresIn: TimeSpan.FromMinutes(-5)));
        await ProblemAssert.ReadAsync(await client.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Theory]
    [InlineData("someone-else", "pingvas-api")]
    [InlineData("pingvas", "another-api")]
    public async Task Me_with_a_token_for_another_issuer_or_audience_is_a_401_problem(string issuer, string audience)
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient(TestTokens.Create(server.ServerKey(), user.Id, issuer: issuer, audience: audience));
        await ProblemAssert.ReadAsync(await client.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_refresh_token_is_not_an_access_token()
    {
        var user = await server.RegisterAsync();
        using var client = server.CreateClient(user.RefreshToken);
        await ProblemAssert.ReadAsync(await client.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    private Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken });

    private async Task<RefreshBody> RefreshOkAsync(string refreshToken)
    {
        var response = await RefreshAsync(refreshToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RefreshBody>(Json.Options))!;
    }

    private sealed record RefreshBody(string AccessToken, string RefreshToken, int ExpiresIn);
}
