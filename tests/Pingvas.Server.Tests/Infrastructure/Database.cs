using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Data;
using Pingvas.Server.Jobs;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>Direct database access for arranging what has no API yet (plan changes) and for inspecting state.</summary>
public static class Database
{
    public static async Task<T> QueryAsync<T>(this PingvasServer server, Func<PingvasDb, Task<T>> query)
    {
        // Tests look at every user's rows: system context (row-level security fails closed).
        await using var scope = server.Services.CreateSystemScope();
        return await query(scope.ServiceProvider.GetRequiredService<PingvasDb>());
    }

    /// <summary>
    /// Moves the server's clock forward and stamps its workers' heartbeats at the new time, as their
    /// next heartbeat would: without it every worker looks stale (and every model unavailable) until
    /// then, which a shared server's next test would trip over.
    /// </summary>
    public static Task JumpClockAsync(this PingvasServer server, TimeSpan by)
    {
        server.Time.Advance(by);
        var now = server.Time.GetUtcNow().UtcDateTime;
        return server.QueryAsync(db => db.Workers.ExecuteUpdateAsync(s => s.SetProperty(w => w.HeartbeatAt, now)));
    }

    /// <summary>Moves a user to another plan (the billing and admin features will do this through their APIs).</summary>
    public static Task SetPlanAsync(this PingvasServer server, Guid userId, string planId) =>
        server.QueryAsync(db => db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.PlanId, planId)));

    /// <summary>
    /// After a test moved a job out of the queue by hand (what a worker of a dead process leaves), its
    /// pair's queue head follows, as the lifecycle would have moved it.
    /// </summary>
    public static async Task RecomputeQueueHeadAsync(this PingvasServer server, Guid jobId)
    {
        await using var scope = server.Services.CreateSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
        var job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == jobId);
        await scope.ServiceProvider.GetRequiredService<Queue.QueueHeads>().RecomputeAsync(job.UserId, job.ModelId, DateTime.UtcNow, CancellationToken.None);
    }

    /// <summary>
    /// Waits (bounded) until no job is queued or running: the clean-up of a test that leaves jobs
    /// behind on a shared server, which would otherwise hold the workers the next test needs.
    /// </summary>
    public static Task WaitUntilIdleAsync(this PingvasServer server) =>
        Eventually.UntilAsync(
            async () => !await server.QueryAsync(db => db.Jobs.AnyAsync(j => j.Status == JobStatus.Queued || j.Status == JobStatus.Running)),
            TimeSpan.FromSeconds(60), "Jobs are still queued or running.");
}
