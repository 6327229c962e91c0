using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Admin;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Admin;

/// <summary>The audit log is append-only in the database itself: rows can be added and read, never changed or removed.</summary>
public sealed class AuditAppendOnlyTests
{
    [Fact]
    public async Task The_database_refuses_to_update_or_delete_audit_rows()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings());
        var id = Guid.CreateVersion7();
        await server.QueryAsync(async db =>
        {
            db.AdminAudit.Add(new AuditEntry
            {
                Id = id,
                AdminId = Guid.NewGuid(),
                AdminEmail = "admin@example.com",
                Action = "user.update",
                TargetType = "user",
                CreatedAt = DateTime.UtcNow,
            });
            return await db.SaveChangesAsync();
        });

        var update = await Assert.ThrowsAnyAsync<Exception>(() =>
            server.QueryAsync(db => db.AdminAudit.Where(a => a.Id == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Action, "nothing"))));
        Assert.Contains("append-only", update.Message);
        var delete = await Assert.ThrowsAnyAsync<Exception>(() => server.QueryAsync(db => db.AdminAudit.Where(a => a.Id == id).ExecuteDeleteAsync()));
        Assert.Contains("append-only", delete.Message);

        var row = await server.QueryAsync(db => db.AdminAudit.AsNoTracking().SingleAsync(a => a.Id == id));
        Assert.Equal("user.update", row.Action);
    }
}
