using Microsoft.EntityFrameworkCore;

using Pingvas.Core.Credits;
using Pingvas.Engines;
using Pingvas.Server.Catalog;
using Pingvas.Server.Credits;
using Pingvas.Server.Data;
using Pingvas.Server.Gallery;
using Pingvas.Server.Generation;
using Pingvas.Server.Realtime;

namespace Pingvas.Server.Queue;

/// <summary>
/// Runs one claimed job on its engine and records the outcome: images stored and credits settled
/// to the measured compute time (success), the seconds used (cancelled while running), a full
/// refund (failure), or the job handed back to the queue (this worker is shutting down).
/// </summary>
public sealed class JobRunner(
    PingvasDb db,
    EngineDirectory engines,
    Ledger ledger,
    ImageOutputs outputs,
    GenerationMapper mapper,
    IGenerationEvents events,
    CancellationRegistry cancellations,
    QueueSignal signal,
    JobProgress progress,
    TimeProvider time,
    ILogger<JobRunner> logger)
{
    public async Task RunAsync(Job job, string workerId, CancellationToken stopping)
    {
        using var cancel = cancellations.Register(job.Id, stopping);
        var started = time.GetTimestamp();
        try
        {
            var engine = engines.For(job.ModelId) ?? throw new EngineUnavailableException(job.ModelId);
            await events.PublishAsync(job.UserId, mapper.ToDto(job, [], null), stopping);
            await using var heartbeat = progress.StartHeartbeat(job.Id, workerId, cancel);
            var request = new EngineJob(job.Id, job.ModelId, job.Prompt, job.NegativePrompt, job.Width, job.Height,
                job.Steps, job.CfgScale, job.Scheduler, job.Seed, job.BatchSize);
            var result = await engine.RunAsync(request, p => progress.ReportAsync(job, p, cancel.Token), cancel.Token);
            await CompleteAsync(job, workerId, result, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            await HandBackAsync(job, workerId);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await CancelledAsync(job, workerId, time.GetElapsedTime(started), stopping);
        }
        catch (Exception ex) when (DatabaseOutage.Is(ex))
        {
            // Not the job's fault: leave it running under its lease; when the lease runs out it is
            // re-queued and runs again, charged once.
            logger.LogWarning(ex, "Database unavailable while running {JobId}; the job returns to the queue when its lease expires", job.Id);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Generation {JobId} failed", job.Id);
            var (code, message) = ex is EngineUnavailableException
                ? ("model_unavailable", ex.Message)
                : ("engine_error", "The engine failed while rendering; your credits were refunded.");
            await FailAsync(job, workerId, code, message, stopping);
        }
        finally
        {
            cancellations.Unregister(job.Id);
            signal.Notify();
        }
    }

    private async Task CompleteAsync(Job claimed, string workerId, EngineResult result, CancellationToken ct)
    {
        var images = await outputs.StoreAsync(claimed, result, ct);
        var charge = CostEstimator.Charge(result.ComputeTime);
        int balance;
        await using (var tx = await db.BeginWriteAsync(ct))
        {
            await db.LockUserAsync(claimed.UserId, ct);
            var job = await OwnedRunningJobAsync(claimed.Id, workerId, ct);
            if (job is null)
            {
                // The lease expired and the job moved on without us: keep nothing, charge nothing.
                await tx.RollbackAsync(ct);
                await outputs.DiscardAsync(images, ct);
                return;
            }

            db.Images.AddRange(images);
            job.Status = JobStatus.Succeeded;
            job.Engine = result.Engine;
            job.ComputeMs = (long)Math.Ceiling(result.ComputeTime.TotalMilliseconds);
            job.ModelLoadMs = (long)result.ModelLoadTime.TotalMilliseconds;
            job.ProgressStep = job.ProgressTotal;
            job.FinishedAt = time.GetUtcNow().UtcDateTime;
            job.LeaseExpiresAt = null;

            // The settlement saves the job and its images with it, in one batch.
            (job.CreditsCharged, balance) = await ChargeAsync(job, charge, $"Generation: {result.ComputeTime.TotalSeconds:0.###} GPU-seconds", ct);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            await events.PublishAsync(job.UserId, mapper.ToDto(job, images, null) with { Balance = balance }, ct);
        }
    }

    private async Task CancelledAsync(Job claimed, string workerId, TimeSpan used, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(claimed.UserId, ct);
        var job = await OwnedRunningJobAsync(claimed.Id, workerId, ct);
        if (job is null)
        {
            return;
        }

        job.Status = JobStatus.Cancelled;
        job.ComputeMs = (long)Math.Ceiling(used.TotalMilliseconds);
        job.FinishedAt = time.GetUtcNow().UtcDateTime;
        job.LeaseExpiresAt = null;
        (job.CreditsCharged, var balance) = await ChargeAsync(job, CostEstimator.Charge(used), $"Cancelled while running: {used.TotalSeconds:0.###} GPU-seconds used", ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        await events.PublishAsync(job.UserId, mapper.ToDto(job, [], null) with { Balance = balance }, ct);
    }

    private async Task FailAsync(Job claimed, string workerId, string code, string message, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(claimed.UserId, ct);
        var job = await OwnedRunningJobAsync(claimed.Id, workerId, ct);
        if (job is null)
        {
            return;
        }

        job.Status = JobStatus.Failed;
        job.ErrorCode = code;
        job.Error = message;
        job.CreditsCharged = 0;
        job.FinishedAt = time.GetUtcNow().UtcDateTime;
        job.LeaseExpiresAt = null;
        var balance = await ledger.ReleaseAsync(job.UserId, job.Id, "Refund: the generation failed", ct);
        await tx.CommitAsync(ct);
        await events.PublishAsync(job.UserId, mapper.ToDto(job, [], null) with { Balance = balance }, ct);
    }

    /// <summary>This worker is stopping: the job goes back to the queue untouched, to run again elsewhere or after restart.</summary>
    private async Task HandBackAsync(Job claimed, string workerId)
    {
        await db.Jobs
            .Where(j => j.Id == claimed.Id && j.Status == JobStatus.Running && j.WorkerId == workerId)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Queued)
                .SetProperty(j => j.WorkerId, (string?)null)
                .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
                .SetProperty(j => j.StartedAt, (DateTime?)null)
                .SetProperty(j => j.ProgressStep, 0), CancellationToken.None);
        logger.LogInformation("Handed generation {JobId} back to the queue on shutdown", claimed.Id);
    }

    private async Task<(int Charged, int Balance)> ChargeAsync(Job job, int charge, string reason, CancellationToken ct)
    {
        var unlimited = await db.Users.Where(u => u.Id == job.UserId)
            .Join(db.Plans, u => u.PlanId, p => p.Id, (u, p) => p.MonthlyCredits == null).SingleAsync(ct);
        if (unlimited && job.ReservedCredits == 0)
        {
            return (charge, await ledger.RecordUsageAsync(job.UserId, job.Id, charge, ct));
        }

        return await ledger.SettleAsync(job.UserId, job.Id, charge, reason, ct);
    }

    private Task<Job?> OwnedRunningJobAsync(Guid jobId, string workerId, CancellationToken ct) =>
        db.Jobs.SingleOrDefaultAsync(j => j.Id == jobId && j.Status == JobStatus.Running && j.WorkerId == workerId, ct);
}

public sealed class EngineUnavailableException(string model) : Exception($"No engine in this worker can run '{model}'.");
