using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Data;

namespace Pingvas.Server.Workers;

/// <summary>
/// Which idle workers of a faster GPU class serve which models, from the registry: what a claim
/// needs so that "the fastest free class takes the job" (Core/Scheduling/ClaimPolicy). Read at
/// most every <see cref="WorkersOptions.IdleFleetCacheMilliseconds"/> per process; a stale view only
/// delays a fresh job by the claim's grace, never strands it.
/// </summary>
public sealed class IdleFleet(IServiceScopeFactory scopes, TimeProvider time, IOptions<WorkersOptions> options, ILogger<IdleFleet> logger)
{
    private static readonly IReadOnlySet<string> None = new HashSet<string>();
    private readonly SemaphoreSlim reading = new(1, 1);
    private Snapshot? last;

    /// <summary>Models served by an idle worker other than <paramref name="workerId"/> whose GPU class is faster than <paramref name="gpuClass"/>.</summary>
    public async Task<IReadOnlySet<string>> FasterIdleAsync(string workerId, string gpuClass, CancellationToken ct)
    {
        var speed = options.Value.SpeedOf(gpuClass);
        if (speed is null)
        {
            return None;
        }

        var rows = await IdleAsync(ct);
        var models = rows.Where(w => w.Speed > speed && w.Id != workerId).SelectMany(w => w.Models).ToHashSet(StringComparer.Ordinal);
        return models.Count == 0 ? None : models;
    }

    private async Task<IReadOnlyList<(string Id, double Speed, IReadOnlyList<string> Models)>> IdleAsync(CancellationToken ct)
    {
        var maxAge = TimeSpan.FromMilliseconds(options.Value.IdleFleetCacheMilliseconds);
        if (Volatile.Read(ref last) is { } fresh && time.GetElapsedTime(fresh.At) < maxAge)
        {
            return fresh.Rows;
        }

        await reading.WaitAsync(ct);
        try
        {
            if (last is not { } current || time.GetElapsedTime(current.At) >= maxAge)
            {
                current = new Snapshot(time.GetTimestamp(), await ReadAsync(ct));
                Volatile.Write(ref last, current);
            }

            return current.Rows;
        }
        finally
        {
            reading.Release();
        }
    }

    private async Task<IReadOnlyList<(string, double, IReadOnlyList<string>)>> ReadAsync(CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateSystemScope();
            var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
            var cutoff = time.GetUtcNow().UtcDateTime - options.Value.Stale;
            var rows = await db.Workers.AsNoTracking()
                .Where(w => w.State == WorkerStates.Idle && w.HeartbeatAt >= cutoff)
                .Select(w => new { w.Id, w.GpuClass, w.Models })
                .ToListAsync(ct);
            return rows.Select(w => (w.Id, Speed: options.Value.SpeedOf(w.GpuClass), w.Models))
                .Where(w => w.Speed is not null)
                .Select(w => (w.Id, w.Speed!.Value, WorkerModels.Split(w.Models)))
                .ToList();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Without the view a worker simply does not defer: claims go on.
            logger.LogWarning(ex, "Reading the idle workers failed; claims do not defer to faster workers meanwhile");
            return [];
        }
    }

    private sealed record Snapshot(long At, IReadOnlyList<(string Id, double Speed, IReadOnlyList<string> Models)> Rows);
}
