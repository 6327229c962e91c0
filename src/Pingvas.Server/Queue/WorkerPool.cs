using Microsoft.Extensions.Options;

using Pingvas.Server.Catalog;
using Pingvas.Server.Data;
using Pingvas.Server.Jobs;

namespace Pingvas.Server.Queue;

/// <summary>
/// The in-process workers: each loop claims the next job in queue order and runs it. On shutdown
/// loops stop claiming, and a job in progress is handed back to the queue.
/// </summary>
public sealed class WorkerPool(
    IServiceScopeFactory scopes,
    EngineDirectory engines,
    QueueSignal signal,
    IOptions<WorkerOptions> workerOptions,
    IOptions<QueueOptions> queueOptions,
    ILogger<WorkerPool> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var count = Math.Max(1, workerOptions.Value.Concurrency);
        logger.LogInformation("Starting {Count} worker(s)", count);
        // Task.Run: a render is CPU work between awaits; each worker gets its own thread-pool thread.
        await Task.WhenAll(Enumerable.Range(1, count).Select(i => Task.Run(() => RunLoopAsync(WorkerNames.For(i), stoppingToken), stoppingToken)));
    }

    private async Task RunLoopAsync(string workerId, CancellationToken stopping)
    {
        var poll = TimeSpan.FromMilliseconds(queueOptions.Value.PollMilliseconds);
        string? loaded = null;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                // Workers serve every user: system context, entered here on purpose.
                await using var scope = scopes.CreateSystemScope();
                var profile = new WorkerProfile(workerId, "cpu", engines.Models, loaded);
                var job = await scope.ServiceProvider.GetRequiredService<JobLifecycle>().ClaimAsync(profile, stopping);
                if (job is null)
                {
                    await signal.WaitAsync(poll, stopping);
                    continue;
                }

                // Stop claiming at once on shutdown, but let the running job finish within the grace period.
                using var grace = new CancellationTokenSource();
                await using var onStop = stopping.Register(() => grace.CancelAfter(TimeSpan.FromSeconds(workerOptions.Value.ShutdownGraceSeconds)));
                loaded = job.ModelId;
                await scope.ServiceProvider.GetRequiredService<JobRunner>().RunAsync(job, grace.Token);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A database hiccup must not kill the worker: log, back off, try again.
                logger.LogError(ex, "Worker {WorkerId} loop failed", workerId);
                await Task.Delay(poll, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
