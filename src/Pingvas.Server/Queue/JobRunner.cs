using Microsoft.Extensions.Options;

using Pingvas.Engines;
using Pingvas.Server.Data;
using Pingvas.Server.Gallery;
using Pingvas.Server.Generation;
using Pingvas.Server.Jobs;

namespace Pingvas.Server.Queue;

/// <summary>
/// Runs one claimed job on its engine and hands the outcome to <see cref="JobLifecycle"/>: success
/// (images stored, the measured seconds charged), stopped on request (the seconds used), timed out
/// or failed (a full refund), a retryable engine failure (back to the queue), or the job handed
/// back because this worker is shutting down. A run whose claim was fenced off writes nothing.
/// </summary>
public sealed class JobRunner(
    JobLifecycle lifecycle,
    ImageOutputs outputs,
    EngineJobs engineJobs,
    CancellationRegistry cancellations,
    JobProgress progress,
    IOptions<QueueOptions> options,
    TimeProvider time,
    Telemetry.PingvasMetrics metrics,
    ILogger<JobRunner> logger)
{
    /// <summary>The <see cref="RetryableEngineException"/> code that says the engine's node is gone, not just this job.</summary>
    public const string NodeUnavailable = "node_unavailable";

    /// <summary>Codes that say the engine itself is out (a node down, a provider's circuit open), not that this job failed.</summary>
    private static readonly HashSet<string> EngineOutCodes = [NodeUnavailable, "provider_unavailable"];

    /// <param name="engine">The claiming worker's own engine.</param>
    /// <param name="shutdown">Fires when this worker must give the job back (the shutdown grace is over).</param>
    /// <returns>Whether the engine turned out to be unavailable (its workers then stop claiming until a refresh succeeds).</returns>
    public async Task<RunEnd> RunAsync(Job job, IImageEngine engine, CancellationToken shutdown)
    {
        var lease = job.Lease ?? throw new ArgumentException("Only a claimed job can run.", nameof(job));
        using var span = Telemetry.JobActivities.StartRun(job, engine.Instance, engine.GpuClass);
        using var run = new JobRun(job, lease, shutdown, TimeSpan.FromSeconds(options.Value.MaxRunSeconds), time);
        cancellations.Register(run);
        var started = time.GetTimestamp();
        IReadOnlyList<Image> stored = [];
        try
        {
            if (!engine.CanRun(job.ModelId))
            {
                throw new EngineUnavailableException(job.ModelId);
            }

            await using (progress.StartHeartbeat(run))
            {
                var request = await engineJobs.ForAsync(job, run.Token);
                var result = await engine.RunAsync(request, p => progress.ReportAsync(run, p, run.Token), run.Token);
                stored = await outputs.StoreAsync(job, result, run.Token);
                if (await lifecycle.SucceedAsync(lease, result, stored, CancellationToken.None) == TransitionResult.Fenced)
                {
                    // Another claim or a final state took over meanwhile: keep nothing, charge nothing.
                    await DiscardAsync(stored);
                }
                else
                {
                    metrics.Ran(job.ModelId, engine.GpuClass, result);
                }
            }
        }
        catch (OperationCanceledException) when (run.StopReason is { } reason)
        {
            await DiscardAsync(stored);
            await StoppedAsync(run, reason, time.GetElapsedTime(started));
        }
        catch (Exception ex) when (DatabaseOutage.Is(ex))
        {
            // Not the job's fault: leave it running under its lease; when the lease runs out it is
            // re-queued and runs again, charged once. Its images would be orphans: drop them.
            logger.LogWarning(ex, "Database unavailable while running {JobId}; the job returns to the queue when its lease expires", job.Id);
            await DiscardAsync(stored);
        }
        catch (RetryableEngineException ex)
        {
            await DiscardAsync(stored);
            if (EngineOutCodes.Contains(ex.Code))
            {
                // Not the job's fault: it goes back to the queue without spending an attempt, and this
                // engine's workers stop claiming until a refresh finds it back.
                logger.LogWarning(ex, "Engine out while running {JobId}; handing it back", job.Id);
                await lifecycle.HandBackAsync(lease, CancellationToken.None);
                return RunEnd.EngineUnavailable;
            }

            logger.LogWarning(ex, "Generation {JobId} failed on attempt {Attempt}; it may be retried", job.Id, lease.Attempt);
            await lifecycle.RetryAsync(lease, ex.Code, ex.Message, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Generation {JobId} failed", job.Id);
            await DiscardAsync(stored);
            var (code, message) = ex switch
            {
                EngineUnavailableException => ("model_unavailable", ex.Message),
                EngineFailedException failed => (failed.Code, failed.Message),
                _ => ("engine_error", "The engine failed while rendering; your credits were refunded."),
            };
            await lifecycle.FailAsync(lease, code, message, CancellationToken.None);
        }
        finally
        {
            cancellations.Unregister(run);
        }

        return RunEnd.Finished;
    }

    private async Task StoppedAsync(JobRun run, RunStop reason, TimeSpan used)
    {
        var result = reason switch
        {
            RunStop.Cancelled => await lifecycle.CancelledAsync(run.Lease, used, CancellationToken.None),
            RunStop.TimedOut => await lifecycle.TimeOutAsync(run.Lease, CancellationToken.None),
            RunStop.ShuttingDown => await lifecycle.HandBackAsync(run.Lease, CancellationToken.None),
            _ => TransitionResult.Fenced,
        };
        if (result == TransitionResult.Fenced)
        {
            logger.LogInformation("Generation {JobId} stopped ({Reason}) after its claim was taken over; nothing recorded", run.Lease.JobId, reason);
        }
    }

    /// <summary>Best effort (never throws): objects left behind are found by the orphan sweeper later.</summary>
    private Task DiscardAsync(IReadOnlyList<Image> images) => outputs.DiscardAsync(images, CancellationToken.None);
}

/// <summary>How a run ended for its worker.</summary>
public enum RunEnd
{
    /// <summary>The job reached an outcome (or went back to the queue); the engine is fine as far as we know.</summary>
    Finished,

    /// <summary>The engine failed with <c>node_unavailable</c>: the job went back to the queue and the engine is unhealthy.</summary>
    EngineUnavailable,
}

public sealed class EngineUnavailableException(string model) : Exception($"This worker's engine cannot run '{model}'.");
