using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Engines;
using Pingvas.Server.Data;
using Pingvas.Server.Generation;
using Pingvas.Server.Realtime;

namespace Pingvas.Server.Queue;

/// <summary>
/// A running job's signs of life: step progress to the owner (every step, with a preview) and to
/// the database (throttled, for pollers), and a heartbeat that renews the lease and picks up
/// cancel requests made through another process.
/// </summary>
public sealed class JobProgress(
    PingvasDb db,
    IServiceScopeFactory scopes,
    GenerationMapper mapper,
    IGenerationEvents events,
    IOptions<QueueOptions> options,
    TimeProvider time,
    ILogger<JobProgress> logger)
{
    private static readonly TimeSpan DatabaseInterval = TimeSpan.FromMilliseconds(500);
    private long lastWrite;

    public async ValueTask ReportAsync(Job job, EngineProgress step, CancellationToken ct)
    {
        job.ProgressStep = (step.ImageIndex * step.TotalSteps) + step.Step;
        var last = job.ProgressStep >= job.ProgressTotal;
        if (last || time.GetElapsedTime(lastWrite) >= DatabaseInterval)
        {
            lastWrite = time.GetTimestamp();
            try
            {
                await db.Jobs.Where(j => j.Id == job.Id && j.Status == JobStatus.Running)
                    .ExecuteUpdateAsync(s => s.SetProperty(j => j.ProgressStep, job.ProgressStep), ct);
            }
            catch (Exception ex) when (DatabaseOutage.Is(ex))
            {
                // Progress for pollers is best effort; the render goes on and live events still flow.
                logger.LogWarning("Could not record progress of {JobId}: the database is unavailable", job.Id);
            }
        }

        var dto = mapper.ToDto(job, [], null) with
        {
            Preview = step.Preview is { Length: > 0 } preview ? "data:image/webp;base64," + Convert.ToBase64String(preview) : null,
        };
        await events.PublishAsync(job.UserId, dto, ct);
    }

    /// <summary>Renews the job's lease every third of its length until disposed; cancels the job if its owner asked.</summary>
    public IAsyncDisposable StartHeartbeat(Guid jobId, string workerId, CancellationTokenSource cancel)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
        var interval = TimeSpan.FromSeconds(Math.Max(1, options.Value.LeaseSeconds / 3.0));
        var loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval, time);
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var scoped = scope.ServiceProvider.GetRequiredService<PingvasDb>();
                    var lease = time.GetUtcNow().UtcDateTime.AddSeconds(options.Value.LeaseSeconds);
                    await scoped.Jobs.Where(j => j.Id == jobId && j.WorkerId == workerId && j.Status == JobStatus.Running)
                        .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseExpiresAt, lease), stop.Token);
                    if (await scoped.Jobs.AnyAsync(j => j.Id == jobId && j.CancelRequested, stop.Token))
                    {
                        await cancel.CancelAsync();
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Heartbeat of {JobId} failed; retrying", jobId);
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
