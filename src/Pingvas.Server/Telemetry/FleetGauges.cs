using System.Diagnostics.Metrics;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Data;
using Pingvas.Server.Jobs;
using Pingvas.Server.Outbox;
using Pingvas.Server.Workers;

namespace Pingvas.Server.Telemetry;

/// <summary>
/// The fleet as the database sees it — queue depth and oldest wait per plan × model, running jobs
/// per model, live workers per GPU class × state and their utilisation, serving workers per model
/// and whether a class scaled to zero wakes for it, the outbox backlog per topic — exported by serve
/// and api. A scrape refreshes the snapshot when it is older than <see cref="MaxAge"/> (one query per
/// family, system context); the observable gauges only read it, so nothing here touches the submit,
/// claim or settle paths. Known plans, models, GPU classes and topics are reported at 0 too: an
/// alert can tell "nothing waits" from "no data".
/// </summary>
public sealed class FleetGauges : IMetricsRefresh
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private static readonly string[] States = ["idle", "busy", "draining"];

    private readonly IServiceScopeFactory scopes;
    private readonly MetricsPlans plans;
    private readonly IOptions<WorkersOptions> workers;
    private readonly TimeProvider time;
    private readonly SemaphoreSlim refreshing = new(1, 1);
    private volatile Snapshot? snapshot;
    private IReadOnlyList<string>? topics;

    public FleetGauges(PingvasMetrics metrics, IServiceScopeFactory scopes, IOptions<WorkersOptions> workers, TimeProvider time)
    {
        this.scopes = scopes;
        this.workers = workers;
        this.time = time;
        plans = metrics.Plans;
        var meter = metrics.Meter;
        meter.CreateObservableGauge("pingvas_queue_depth", () => Read(s => s.QueueDepth), null, "Jobs waiting in the queue.");
        meter.CreateObservableGauge("pingvas_queue_oldest_wait_seconds", () => Read(s => s.QueueOldest), "s", "Age of the oldest waiting job.");
        meter.CreateObservableGauge("pingvas_jobs_running", () => Read(s => s.Running), null, "Jobs running now (fleet, from the database).");
        meter.CreateObservableGauge("pingvas_workers", () => Read(s => s.Workers), null,
            "Live workers by GPU class and state = idle|busy|draining, or unhealthy while their engine is down (fleet, from the database).");
        meter.CreateObservableGauge("pingvas_worker_utilisation_ratio", () => Read(s => s.Utilisation), null,
            "Busy live workers / live workers of a GPU class (fleet, from the database).");
        // Per model, so an alert can say "no worker can take this model's jobs" directly instead of
        // waiting for the effect (nothing of the model running or finishing for many minutes). A
        // scalable model has no worker while its class sleeps: the alert gives it the wake-up time.
        meter.CreateObservableGauge("pingvas_model_workers", () => Read(s => s.ModelWorkers), null,
            "Live workers (idle or busy; not draining or unhealthy) whose model list has the model (fleet, from the database).");
        meter.CreateObservableGauge("pingvas_model_scalable", () => Read(s => s.ModelScalable), null,
            "1 when a class scaled to zero wakes for the model (Workers__ScaledModels), else 0.");
        meter.CreateObservableGauge("pingvas_outbox_backlog", () => Read(s => s.OutboxBacklog), null, "Outbox messages not yet delivered.");
        meter.CreateObservableGauge("pingvas_outbox_oldest_age_seconds", () => Read(s => s.OutboxOldest), "s",
            "Age of the oldest undelivered outbox message (0 when none).");
    }

    private sealed record Snapshot(
        DateTimeOffset At,
        List<Measurement<double>> QueueDepth,
        List<Measurement<double>> QueueOldest,
        List<Measurement<double>> Running,
        List<Measurement<double>> Workers,
        List<Measurement<double>> Utilisation,
        List<Measurement<double>> ModelWorkers,
        List<Measurement<double>> ModelScalable,
        List<Measurement<double>> OutboxBacklog,
        List<Measurement<double>> OutboxOldest);

    public async Task RefreshAsync(CancellationToken ct)
    {
        if (snapshot is { } current && time.GetUtcNow() - current.At < MaxAge)
        {
            return;
        }

        await refreshing.WaitAsync(ct);
        try
        {
            if (snapshot is { } fresh && time.GetUtcNow() - fresh.At < MaxAge)
            {
                return;
            }

            await using var scope = scopes.CreateSystemScope();
            snapshot = await ReadAsync(scope.ServiceProvider, ct);
        }
        finally
        {
            refreshing.Release();
        }
    }

    private IEnumerable<Measurement<double>> Read(Func<Snapshot, List<Measurement<double>>> family) =>
        snapshot is { } s ? family(s) : [];

    private async Task<Snapshot> ReadAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<PingvasDb>();
        var at = time.GetUtcNow();
        var now = at.UtcDateTime;
        var models = await db.Models.AsNoTracking().Where(m => m.Enabled).Select(m => m.Id).ToListAsync(ct);

        var queued = await db.Jobs.AsNoTracking().Where(j => j.Status == JobStatus.Queued)
            .GroupBy(j => new { j.Priority, j.ModelId })
            .Select(g => new { g.Key.Priority, g.Key.ModelId, Count = g.Count(), Oldest = g.Min(j => j.CreatedAt) }).ToListAsync(ct);
        var depth = new Dictionary<(string Plan, string Model), (double Count, double Oldest)>();
        foreach (var plan in plans.Names)
        {
            foreach (var model in models)
            {
                depth[(plan, model)] = (0, 0);
            }
        }

        foreach (var q in queued)
        {
            var key = (plans.NameOf(q.Priority), q.ModelId);
            var (count, oldest) = depth.GetValueOrDefault(key);
            depth[key] = (count + q.Count, Math.Max(oldest, Math.Max(0, (now - q.Oldest).TotalSeconds)));
        }

        var running = models.ToDictionary(m => m, _ => 0.0);
        foreach (var r in await db.Jobs.AsNoTracking().Where(j => j.Status == JobStatus.Running)
            .GroupBy(j => j.ModelId).Select(g => new { Model = g.Key, Count = g.Count() }).ToListAsync(ct))
        {
            running[r.Model] = r.Count;
        }

        var registry = services.GetRequiredService<WorkerRegistry>();
        var fresh = await registry.FreshAsync(db, ct);
        var classes = workers.Value.GpuSpeeds.Keys.Select(k => k.ToLowerInvariant()).Concat(fresh.Select(w => w.GpuClass)).Distinct().Order().ToList();
        var byState = fresh.GroupBy(w => (w.GpuClass, State: StateOf(w.State))).ToDictionary(g => g.Key, g => g.Count());
        var workerRows = classes.SelectMany(c => States.Concat(byState.Keys.Where(k => k.GpuClass == c).Select(k => k.State)).Distinct()
            .Select(s => Gauge(byState.GetValueOrDefault((c, s)), ("gpu_class", c), ("state", s)))).ToList();
        var utilisation = classes.Select(c =>
        {
            var busy = byState.GetValueOrDefault((c, "busy"));
            var serving = busy + byState.GetValueOrDefault((c, "idle"));
            return Gauge(serving == 0 ? 0 : (double)busy / serving, ("gpu_class", c));
        }).ToList();

        // Every enabled model and every model with a waiting job (one since disabled still waits)
        // gets a row, 0 when no worker lists it: the alert joins these on the queue's model label
        // and must see the 0, not a missing series. Draining, stopping and unhealthy workers claim
        // nothing, so they do not count; cpu and relay workers do, as they claim their models' jobs.
        var modelWorkers = models.Concat(queued.Select(q => q.ModelId)).Distinct().ToDictionary(m => m, _ => 0.0);
        foreach (var model in fresh.Where(w => WorkerStates.Serving(w.State)).SelectMany(w => WorkerModels.Split(w.Models).Distinct()))
        {
            if (modelWorkers.TryGetValue(model, out var count))
            {
                modelWorkers[model] = count + 1;
            }
        }

        topics ??= services.GetServices<IOutboxHandler>().Select(h => h.Topic).Distinct().ToList();
        var backlog = await db.Outbox.AsNoTracking().Where(m => m.DeliveredAt == null && m.FailedAt == null)
            .GroupBy(m => m.Topic).Select(g => new { Topic = g.Key, Count = g.Count(), Oldest = g.Min(m => m.CreatedAt) }).ToListAsync(ct);
        var outbox = topics.ToDictionary(t => t, _ => (Count: 0.0, Oldest: 0.0));
        foreach (var b in backlog)
        {
            outbox[b.Topic] = (b.Count, Math.Max(0, (now - b.Oldest).TotalSeconds));
        }

        return new Snapshot(
            at,
            depth.Select(d => Gauge(d.Value.Count, ("plan", d.Key.Plan), ("model", d.Key.Model))).ToList(),
            depth.Select(d => Gauge(d.Value.Oldest, ("plan", d.Key.Plan), ("model", d.Key.Model))).ToList(),
            running.Select(r => Gauge(r.Value, ("model", r.Key))).ToList(),
            workerRows,
            utilisation,
            modelWorkers.Select(m => Gauge(m.Value, ("model", m.Key))).ToList(),
            modelWorkers.Keys.Select(m => Gauge(workers.Value.ScaledModels.ContainsKey(m) ? 1 : 0, ("model", m))).ToList(),
            outbox.Select(o => Gauge(o.Value.Count, ("topic", o.Key))).ToList(),
            outbox.Select(o => Gauge(o.Value.Oldest, ("topic", o.Key))).ToList());
    }

    /// <summary>The registry's states as the catalogue names them: a stopping worker is draining.</summary>
    private static string StateOf(string state) => state == WorkerStates.Stopping ? "draining" : state;

    internal static Measurement<double> Gauge(double value, params (string Key, string Value)[] labels) =>
        new(value, labels.Select(l => new KeyValuePair<string, object?>(l.Key, l.Value)).ToArray());
}
