using Microsoft.Extensions.Options;

using Pingvas.Server.Data;

namespace Pingvas.Server.Workers;

/// <summary>Which catalog models some live worker serves, and the engine that would run each.</summary>
public sealed record AvailableModels(IReadOnlyDictionary<string, string> EngineByModel)
{
    public bool Contains(string model) => EngineByModel.ContainsKey(model);

    public string? EngineFor(string model) => EngineByModel.GetValueOrDefault(model);
}

/// <summary>
/// Model availability for the API, from the worker registry rather than the engines of this
/// process: a model is available when a fresh (heartbeat within <c>Workers:StaleSeconds</c>),
/// serving (idle or busy) worker lists it. Each process reuses what it read for
/// <c>Workers:AvailabilityCacheMilliseconds</c> (2 s), so a worker that stops or starts is seen
/// within that time plus, for a vanished one, the stale time. Models of a fleet scaled to zero
/// (<c>Workers:ScaledModels</c>) count as available too: their jobs wait for a worker to wake.
/// </summary>
public sealed class ModelAvailability(WorkerRegistry registry, TimeProvider time, IOptions<WorkersOptions> options)
{
    private readonly SemaphoreSlim loading = new(1, 1);
    private (AvailableModels Models, long LoadedAt)? current;

    private TimeSpan MaxAge => TimeSpan.FromMilliseconds(options.Value.AvailabilityCacheMilliseconds);

    /// <summary>
    /// The available models, read through the caller's <paramref name="db"/> (a request already
    /// holds a connection) in system context: the registry is system data (row-level security).
    /// </summary>
    public async ValueTask<AvailableModels> GetAsync(PingvasDb db, DatabaseTenant tenant, CancellationToken ct)
    {
        if (current is { } fresh && time.GetElapsedTime(fresh.LoadedAt) < MaxAge)
        {
            return fresh.Models;
        }

        await loading.WaitAsync(ct);
        try
        {
            if (current is { } loaded && time.GetElapsedTime(loaded.LoadedAt) < MaxAge)
            {
                return loaded.Models;
            }

            List<WorkerRow> rows;
            using (tenant.AsSystem())
            {
                rows = await registry.FreshAsync(db, ct);
            }

            // GPU workers first, then relays, then the procedural renderer: the engine a user would expect to run it.
            var engines = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var row in rows.Where(r => WorkerStates.Serving(r.State)).OrderBy(r => r.GpuClass switch { GpuClasses.Cpu => 2, GpuClasses.Relay => 1, _ => 0 }))
            {
                foreach (var model in WorkerModels.Split(row.Models))
                {
                    engines.TryAdd(model, row.Engine);
                }
            }

            foreach (var (model, engine) in options.Value.ScaledModels)
            {
                engines.TryAdd(model, engine);
            }

            var models = new AvailableModels(engines);
            current = (models, time.GetTimestamp());
            return models;
        }
        finally
        {
            loading.Release();
        }
    }
}
