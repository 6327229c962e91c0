using Microsoft.Extensions.Options;

using Pingvas.Engines;
using Pingvas.Server.Data;
using Pingvas.Server.Hosting;
using Pingvas.Server.Jobs;
using Pingvas.Server.Workers;

namespace Pingvas.Server.Queue;

/// <summary>
/// The in-process workers: for each engine instance, <c>Concurrency</c> loops (the engine's own, else
/// <c>Worker:Concurrency</c>), each a worker that claims with its profile and runs the job on its
/// own engine. Engines are refreshed at start and every <c>Workers:RefreshSeconds</c>; the workers of
/// an engine whose refresh fails claim nothing until one succeeds. Every worker is in the registry
/// (Workers/) from before the app serves requests until a clean stop. On shutdown loops stop
/// claiming, and a job in progress is handed back to the queue after the grace period.
/// </summary>
public sealed class WorkerPool(
    IServiceScopeFactory scopes,
    QueueSignal signal,
    IEnumerable<IImageEngine> engines,
    WorkerRegistry registry,
    IdleFleet fleet,
    HostRole hostRole,
    TimeProvider time,
    IOptions<WorkerOptions> workerOptions,
    IOptions<QueueOptions> queueOptions,
    IOptions<WorkersOptions> registryOptions,
    Telemetry.PingvasMetrics metrics,
    ILogger<WorkerPool> logger) : BackgroundService
{
    private readonly List<EngineSlot> slots = [];
    private readonly List<LocalWorker> workers = [];

    /// <summary>This process's workers (for tests and diagnostics).</summary>
    public IReadOnlyList<LocalWorker> Workers => workers;

    private TimeSpan RefreshInterval => TimeSpan.FromSeconds(Math.Max(1, registryOptions.Value.RefreshSeconds));

    /// <summary>Refreshes the engines and registers the workers before the host goes on to serve requests.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var role = hostRole.Role.ToString().ToLowerInvariant();
        var now = time.GetUtcNow().UtcDateTime;
        var loop = 0;
        foreach (var engine in engines)
        {
            var slot = new EngineSlot(engine);
            slots.Add(slot);
            var count = Math.Max(1, engine.Concurrency ?? workerOptions.Value.Concurrency);
            for (var i = 0; i < count; i++)
            {
                workers.Add(new LocalWorker(WorkerNames.For(++loop), slot, role, now));
            }
        }

        // GPU and relay engines first: the procedural engine steps aside for what they serve.
        foreach (var slot in slots.OrderBy(s => s.Engine.GpuClass == GpuClasses.Cpu))
        {
            await RefreshAsync(slot, cancellationToken);
        }

        await registry.SaveAsync(workers.Select(w => w.ToRow()).ToList(), cancellationToken);
        logger.LogInformation("Starting {Count} worker(s) on {Engines}", workers.Count, string.Join(", ", slots.Select(s => $"{s.Engine.Instance} ({s.Engine.GpuClass}, {(s.Healthy ? "healthy" : "unhealthy")})")));
        await base.StartAsync(cancellationToken);
    }

    /// <summary>Stops claiming (rows say <c>stopping</c>), lets running jobs finish or hand them back, then removes the rows.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var worker in workers)
        {
            worker.Stopping = true;
        }

        await registry.SaveAsync(workers.Select(w => w.ToRow()).ToList(), cancellationToken);
        try
        {
            await base.StopAsync(cancellationToken);
        }
        finally
        {
            await registry.RemoveProcessAsync(WorkerNames.Process, CancellationToken.None);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Task.Run: a render is CPU work between awaits; each worker gets its own thread-pool thread.
        var loops = workers.Select(w => Task.Run(() => RunLoopAsync(w, stoppingToken), stoppingToken))
            .Concat(slots.Select(s => Task.Run(() => RefreshLoopAsync(s, stoppingToken), stoppingToken)))
            .Append(Task.Run(() => HeartbeatLoopAsync(stoppingToken), stoppingToken));
        try
        {
            await Task.WhenAll(loops);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // A loop cancelled before it started.
        }
    }

    private async Task RunLoopAsync(LocalWorker worker, CancellationToken stopping)
    {
        var poll = TimeSpan.FromMilliseconds(queueOptions.Value.PollMilliseconds);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await worker.Slot.RecoveredAsync(stopping);
                var profile = worker.Profile();
                if (profile.Models.Count == 0)
                {
                    // Nothing to serve (the procedural engine stepped aside for GPU workers): wait for a refresh.
                    await Task.Delay(poll, time, stopping);
                    continue;
                }

                profile = profile with
                {
                    FasterIdle = await fleet.FasterIdleAsync(worker.Id, profile.GpuClass, stopping),
                    HeldLoras = worker.Slot.Engine.HeldLoras,
                    LoraHolders = await fleet.LoraHoldersAsync(worker.Id, stopping),
                };
                // Workers serve every user: system context, entered here on purpose.
                await using var scope = scopes.CreateSystemScope();
                var job = await scope.ServiceProvider.GetRequiredService<JobLifecycle>().ClaimAsync(profile, stopping);
                if (job is null)
                {
                    await signal.WaitAsync(poll, stopping);
                    continue;
                }

                await RunAsync(worker, job, scope.ServiceProvider.GetRequiredService<JobRunner>(), stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A database hiccup must not kill the worker: log, back off, try again.
                logger.LogError(ex, "Worker {WorkerId} loop failed", worker.Id);
                await Task.Delay(poll, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task RunAsync(LocalWorker worker, Job job, JobRunner runner, CancellationToken stopping)
    {
        worker.CurrentJobId = job.Id;
        worker.LoadedModel = job.ModelId;
        metrics.Claimed(job);
        await worker.SaveAsync(registry, CancellationToken.None);
        var started = time.GetTimestamp();
        var end = RunEnd.Finished;
        try
        {
            // Stop claiming at once on shutdown, but let the running job finish within the grace period.
            using var grace = new CancellationTokenSource();
            await using var onStop = stopping.Register(() => grace.CancelAfter(TimeSpan.FromSeconds(workerOptions.Value.ShutdownGraceSeconds)));
            end = await runner.RunAsync(job, worker.Slot.Engine, grace.Token);
        }
        finally
        {
            worker.CurrentJobId = null;
            worker.JobsDone++;
            worker.BusyMs += (long)time.GetElapsedTime(started).TotalMilliseconds;
            metrics.WorkerBusy(worker.Slot.Engine.GpuClass, time.GetElapsedTime(started));
            if (end == RunEnd.EngineUnavailable && worker.Slot.MarkUnhealthy())
            {
                logger.LogWarning("Engine {Instance} is unavailable; its workers claim nothing until a refresh succeeds", worker.Slot.Engine.Instance);
                await SaveSlotAsync(worker.Slot);
            }
            else
            {
                await worker.SaveAsync(registry, CancellationToken.None);
            }
        }
    }

    /// <summary>Refreshes every <c>Workers:RefreshSeconds</c>; while unhealthy, retries after 1, 2, 4… seconds (at most the interval).</summary>
    private async Task RefreshLoopAsync(EngineSlot slot, CancellationToken stopping)
    {
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            var wait = slot.Healthy ? RefreshInterval : TimeSpan.FromSeconds(Math.Min(Math.Pow(2, failures), RefreshInterval.TotalSeconds));
            if (await slot.RefreshNeeded.WaitAsync(wait, stopping))
            {
                // A run found the engine gone: check at once, then back off from the shortest wait.
                failures = 0;
            }

            var wasHealthy = slot.Healthy;
            failures = await RefreshAsync(slot, stopping) ? 0 : failures + 1;
            // Models or health may have changed: the rows follow.
            await SaveSlotAsync(slot);
            if (wasHealthy != slot.Healthy)
            {
                logger.LogInformation("Engine {Instance} is {State}", slot.Engine.Instance, slot.Healthy ? "healthy again" : "unhealthy");
            }
        }
    }

    /// <summary>One refresh: true when the engine answered. The procedural engine advertises only what no fresh GPU worker serves.</summary>
    private async Task<bool> RefreshAsync(EngineSlot slot, CancellationToken ct)
    {
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(RefreshInterval);
            await slot.Engine.RefreshAsync(limit.Token);
            IReadOnlyCollection<string> models = slot.Engine.Models.ToList();
            if (slot.Engine.GpuClass == GpuClasses.Cpu)
            {
                var gpu = await registry.GpuServedModelsAsync(ct);
                gpu.UnionWith(slots.Where(s => s.Healthy && s.Engine.GpuClass is not (GpuClasses.Cpu or GpuClasses.Relay)).SelectMany(s => s.Models));
                models = models.Where(m => !gpu.Contains(m)).ToList();
            }

            slot.Refreshed(models);
            return true;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            slot.MarkUnhealthy();
            logger.LogWarning(ex, "Refreshing engine {Instance} failed; its workers claim nothing until a refresh succeeds", slot.Engine.Instance);
            return false;
        }
    }

    /// <summary>Stamps this process's rows every <c>Workers:HeartbeatSeconds</c>; rows purged meanwhile (a long pause) are written again.</summary>
    private async Task HeartbeatLoopAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, registryOptions.Value.HeartbeatSeconds)), time);
        while (await timer.WaitForNextTickAsync(stopping))
        {
            var stamped = await registry.HeartbeatAsync(WorkerNames.Process, stopping);
            if (stamped >= 0 && stamped < workers.Count)
            {
                foreach (var worker in workers)
                {
                    await worker.SaveAsync(registry, stopping);
                }
            }
        }
    }

    private async Task SaveSlotAsync(EngineSlot slot)
    {
        foreach (var worker in workers.Where(w => w.Slot == slot))
        {
            await worker.SaveAsync(registry, CancellationToken.None);
        }
    }
}
