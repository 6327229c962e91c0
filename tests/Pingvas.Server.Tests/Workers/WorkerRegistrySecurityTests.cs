using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Npgsql;

using Pingvas.Server.Data;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Workers;

namespace Pingvas.Server.Tests.Workers;

/// <summary>The registry is system data: on PostgreSQL a session keyed to a user neither sees nor writes its rows (always on PostgreSQL).</summary>
public sealed class WorkerRegistrySecurityTests
{
    [Fact]
    public async Task A_session_keyed_to_a_user_sees_no_worker_rows_and_cannot_write_one()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings(), database: await TestDatabase.CreatePostgresAsync());
        var user = await server.RegisterAsync();
        Assert.NotEmpty(await WorkerRows.AllAsync(server));

        var scopes = server.Services.GetRequiredService<IServiceScopeFactory>();
        await using var scope = scopes.CreateUserScope(user.Id);
        var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
        Assert.Equal(0, await db.Workers.CountAsync());
        Assert.Equal(0, await db.Workers.ExecuteUpdateAsync(s => s.SetProperty(w => w.State, WorkerStates.Unhealthy)));

        db.Workers.Add(new WorkerRow
        {
            Id = "forged:1:00000000:1",
            Process = "forged:1:00000000",
            Role = "worker",
            Engine = "invokeai",
            Instance = "forged",
            GpuClass = "h100",
            Models = "sd-1.5",
            State = WorkerStates.Idle,
            StartedAt = DateTime.UtcNow,
            HeartbeatAt = DateTime.UtcNow,
        });
        var refused = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, Assert.IsType<PostgresException>(refused.InnerException).SqlState);

        // The system context (workers, housekeeping) still sees every row, none of them changed.
        Assert.All(await WorkerRows.AllAsync(server), w => Assert.Equal(WorkerStates.Idle, w.State));
    }
}
