using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Data;

namespace Pingvas.Server.Workers;

/// <summary>
/// Which idle workers of a faster GPU class serve which models, and which LoRAs idle workers hold
/// for which models, from the registry: what a claim needs so that "the fastest free class takes the
/// job" and a worker holding a job's LoRAs takes it (Core/Scheduling/ClaimPolicy). Read at
/// most every <see cref="WorkersOptions.IdleFleetCacheMilliseconds"/> per process; a stale view only
/// delays a fresh job by the claim's grace, never strands it.
/// </summary>
public sealed class IdleFleet(IServiceScopeFactory scopes, TimeProvider time, IOptions<WorkersOptions> options, ILogger<IdleFleet> logger)
{
    private static readonly IReadOnlySet<string> None = new HashSet<string>();
    private static readonly IReadOnlyDictionary<string, IReadOnlySet<Guid>> NoHolders = new Dictionary<string, IReadOnlySet<Guid>>();
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

    /// <summary>Per model, the LoRAs held by the idle workers other than <paramref name="workerId"/> that serve it (any GPU class).</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlySet<Guid>>> LoraHoldersAsync(string workerId, CancellationToken ct)
    {
        var rows = await IdleAsync(ct);
        var holders = new Dictionary<string, IReadOnlySet<Guid>>(StringComparer.Ordinal);
        foreach (var (_, _, models, loras) in rows.Where(w => w.Loras.Count > 0 && w.Id != workerId))
        {
            foreach (var model in models)
            {
                holders[model] = holders.TryGetValue(model, out var held) ? held.Union(loras).ToHashSet() : loras.ToHashSet();
            }
        }

        return holders.Count == 0 ? NoHolders : holders;
    }

    private async Task<IReadOnlyList<Idle>> IdleAsync(CancellationToken ct)
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

    private async Task<IReadOnlyList<Idle>> ReadAsync(CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateSystemScope();
            var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
            var cutoff = time.GetUtcNow().UtcDateTime - options.Value.Stale;
            var rows = await db.Workers.AsNoTracking()
                .Where(w => w.State == WorkerStates.Idle && w.HeartbeatAt >= cutoff)
                .Select(w => new { w.Id, w.GpuClass, w.Models, w.Loras })
                .ToListAsync(ct);
            // A class without a known speed is never faster, but its LoRAs still count.
            return rows.Select(w => new Idle(w.Id, options.Value.SpeedOf(w.GpuClass), WorkerModels.Split(w.Models), WorkerLoras.Split(w.Loras))).ToList();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Without the view a worker simply does not defer: claims go on.
            logger.LogWarning(ex, "Reading the idle workers failed; claims do not defer to faster workers or LoRA holders meanwhile");
            return [];
        }
    }

    private sealed record Idle(string Id, double? Speed, IReadOnlyList<string> Models, IReadOnlyList<Guid> Loras);

    private sealed record Snapshot(long At, IReadOnlyList<Idle> Rows);
}
