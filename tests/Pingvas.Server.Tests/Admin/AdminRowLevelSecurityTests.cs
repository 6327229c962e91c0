using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Admin;
using Pingvas.Server.Data;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Admin;

/// <summary>
/// Row-level security (PostgreSQL) on the new tables: a session keyed to a user sees only that
/// user's recovery codes and no audit row at all, and cannot write one; system context sees all.
/// </summary>
public sealed class AdminRowLevelSecurityTests
{
    [Fact]
    public async Task Recovery_codes_are_per_user_and_the_audit_log_is_system_only()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings(), database: await TestDatabase.CreatePostgresAsync());
        var admin = await AdminKit.AdminAsync(server);
        var alice = await server.RegisterAsync();
        await AdminKit.EnrolAsync(server, alice);
        var response = await admin.Client.PatchAsync($"/api/v1/admin/users/{alice.Id}", System.Net.Http.Json.JsonContent.Create(new { plan = "pro" }));
        response.EnsureSuccessStatusCode();

        Assert.Equal(10, await AsAsync(server, alice.Id, db => db.TotpRecoveryCodes.CountAsync()));
        Assert.All(await AsAsync(server, alice.Id, db => db.TotpRecoveryCodes.ToListAsync()), c => Assert.Equal(alice.Id, c.UserId));
        Assert.Equal(10, await AsAsync(server, admin.Id, db => db.TotpRecoveryCodes.CountAsync()));
        Assert.Equal(20, await AsAsync(server, null, db => db.TotpRecoveryCodes.CountAsync()));

        // Not even the admin's own session sees the log outside system context; the admin routes enter it.
        Assert.Equal(0, await AsAsync(server, admin.Id, db => db.AdminAudit.CountAsync()));
        Assert.Equal(1, await AsAsync(server, null, db => db.AdminAudit.CountAsync()));
        await Assert.ThrowsAnyAsync<DbUpdateException>(() => AsAsync(server, admin.Id, db =>
        {
            db.AdminAudit.Add(new AuditEntry { Id = Guid.CreateVersion7(), AdminEmail = "x@example.com", Action = "forged", TargetType = "user", CreatedAt = DateTime.UtcNow });
            return db.SaveChangesAsync();
        }));
    }

    private static async Task<T> AsAsync<T>(PingvasServer server, Guid? userId, Func<PingvasDb, Task<T>> work)
    {
        await using var scope = userId is { } id
            ? server.Services.GetRequiredService<IServiceScopeFactory>().CreateUserScope(id)
            : server.Services.CreateSystemScope();
        return await work(scope.ServiceProvider.GetRequiredService<PingvasDb>());
    }
}
