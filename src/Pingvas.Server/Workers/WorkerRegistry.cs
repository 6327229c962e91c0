using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Data;

namespace Pingvas.Server.Workers;

/// <summary>
/// Reads and writes the worker registry (table <c>workers</c>). Writes are system work in a scope of
/// their own and best effort: a failed write is logged and dropped, never thrown, because the
/// registry describes the jobs and must never fail one. The next write of the same row (a claim, a
/// finish, the heartbeat) puts it right. Reads run in the caller's context, which must be system.
/// </summary>
public sealed class WorkerRegistry(IServiceScopeFactory scopes, TimeProvider time, IOptions<WorkersOptions> options, ILogger<WorkerRegistry> logger)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Writes the rows as they are now: an update where the row exists, else an insert.</summary>
    public Task SaveAsync(IReadOnlyList<WorkerRow> rows, CancellationToken ct) => WriteAsync("save", async db =>
    {
        var now = Now;
        foreach (var row in rows)
        {
            row.HeartbeatAt = now;
            var updated = await db.Workers.Where(w => w.Id == row.Id).ExecuteUpdateAsync(s => s
                .SetProperty(w => w.Models, row.Models)
                .SetProperty(w => w.LoadedModel, row.LoadedModel)
                .SetProperty(w => w.Loras, row.Loras)
                .SetProperty(w => w.State, row.State)
                .SetProperty(w => w.CurrentJobId, row.CurrentJobId)
                .SetProperty(w => w.JobsDone, row.JobsDone)
                .SetProperty(w => w.BusyMs, row.BusyMs)
                .SetProperty(w => w.HeartbeatAt, now), ct);
            if (updated == 0)
            {
                db.Workers.Add(row);
            }
        }

        await db.SaveChangesAsync(ct);
    }, ct);

    /// <summary>Stamps every row of <paramref name="process"/> in one statement; how many it stamped (-1 when the write failed).</summary>
    public async Task<int> HeartbeatAsync(string process, CancellationToken ct)
    {
        var stamped = -1;
        await WriteAsync("heartbeat", async db =>
        {
            var now = Now;
            stamped = await db.Workers.Where(w => w.Process == process).ExecuteUpdateAsync(s => s.SetProperty(w => w.HeartbeatAt, now), ct);
        }, ct);
        return stamped;
    }

    /// <summary>A clean stop: the process's rows go at once instead of turning stale.</summary>
    public Task RemoveProcessAsync(string process, CancellationToken ct) =>
        WriteAsync("remove", db => db.Workers.Where(w => w.Process == process).ExecuteDeleteAsync(ct), ct);

    /// <summary>The rows stamped within <c>Workers:StaleSeconds</c>, in the caller's (system) context.</summary>
    public async Task<List<WorkerRow>> FreshAsync(PingvasDb db, CancellationToken ct)
    {
        var cutoff = Now - options.Value.Stale;
        return await db.Workers.AsNoTracking().Where(w => w.HeartbeatAt >= cutoff).OrderBy(w => w.Id).ToListAsync(ct);
    }

    /// <summary>Models that a fresh, serving GPU worker (not cpu, not relay) lists: the procedural engine steps aside for them.</summary>
    public async Task<HashSet<string>> GpuServedModelsAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateSystemScope();
        var rows = await FreshAsync(scope.ServiceProvider.GetRequiredService<PingvasDb>(), ct);
        return rows.Where(w => w.GpuClass is not (GpuClasses.Cpu or GpuClasses.Relay) && WorkerStates.Serving(w.State))
            .SelectMany(w => WorkerModels.Split(w.Models)).ToHashSet(StringComparer.Ordinal);
    }

    private async Task WriteAsync(string what, Func<PingvasDb, Task> write, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateSystemScope();
            await write(scope.ServiceProvider.GetRequiredService<PingvasDb>());
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Worker registry {What} failed; the next write puts the row right", what);
        }
    }
}

public static class GpuClasses
{
    public const string Cpu = "cpu";
    public const string Relay = "relay";
}
