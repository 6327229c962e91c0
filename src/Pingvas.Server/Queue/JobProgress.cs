using Microsoft.Extensions.Options;

using Pingvas.Engines;
using Pingvas.Server.Data;
using Pingvas.Server.Jobs;

namespace Pingvas.Server.Queue;

/// <summary>
/// A running job's signs of life, all fenced by its lease: step progress to the owner (every step,
/// with a preview) and to the database (throttled, for pollers), and a heartbeat that renews the
/// lease and picks up cancel requests made through another process. A write that finds the claim
/// gone stops the engine at once.
/// </summary>
public sealed class JobProgress(
    JobLifecycle lifecycle,
    IServiceScopeFactory scopes,
    IOptions<QueueOptions> options,
    TimeProvider time,
    ILogger<JobProgress> logger)
{
    private static readonly TimeSpan DatabaseInterval = TimeSpan.FromMilliseconds(500);
    private long lastWrite;

    public async ValueTask ReportAsync(JobRun run, EngineProgress step, CancellationToken ct)
    {
        var job = run.Job;
        job.RecordProgress((step.ImageIndex * step.TotalSteps) + step.Step);
        var last = job.ProgressStep >= job.ProgressTotal;
        if (last || time.GetElapsedTime(lastWrite) >= DatabaseInterval)
        {
            lastWrite = time.GetTimestamp();
            try
            {
                switch (await lifecycle.RecordProgressAsync(run.Lease, job.ProgressStep, ct))
                {
                    case LeaseCheck.Fenced:
                        run.Stop(RunStop.Fenced);
                        ct.ThrowIfCancellationRequested();
                        break;
                    case LeaseCheck.CancelRequested:
                        run.Stop(RunStop.Cancelled);
                        ct.ThrowIfCancellationRequested();
                        break;
                    default:
                        break;
                }
            }
            catch (Exception ex) when (DatabaseOutage.Is(ex))
            {
                // Progress for pollers is best effort; the render goes on and live events still flow.
                logger.LogWarning("Could not record progress of {JobId}: the database is unavailable", job.Id);
            }
        }

        var preview = step.Preview is { Length: > 0 } bytes ? "data:image/webp;base64," + Convert.ToBase64String(bytes) : null;
        await lifecycle.PublishProgressAsync(job, preview, ct);
    }

    /// <summary>Renews the run's lease every third of its length until disposed; stops the run when fenced off or cancelled.</summary>
    public IAsyncDisposable StartHeartbeat(JobRun run)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(run.Token);
        var interval = TimeSpan.FromSeconds(Math.Max(1, options.Value.LeaseSeconds / 3.0));
        var loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval, time);
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                try
                {
                    // Its own scope: the run's context is busy with the engine's progress meanwhile.
                    await using var scope = scopes.CreateSystemScope();
                    switch (await scope.ServiceProvider.GetRequiredService<JobLifecycle>().RenewLeaseAsync(run.Lease, stop.Token))
                    {
                        case LeaseCheck.Fenced:
                            logger.LogWarning("Generation {JobId} is no longer this worker's (attempt {Attempt}): stopping it", run.Lease.JobId, run.Lease.Attempt);
                            run.Stop(RunStop.Fenced);
                            break;
                        case LeaseCheck.CancelRequested:
                            run.Stop(RunStop.Cancelled);
                            break;
                        default:
                            break;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Heartbeat of {JobId} failed; retrying", run.Lease.JobId);
                }
            }
        });
        return new Heartbeat(stop, loop);
    }

    private sealed class Heartbeat(CancellationTokenSource stop, Task loop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            try
            {
                await loop;
            }
            catch (OperationCanceledException)
            {
            }

            stop.Dispose();
        }
    }
}
