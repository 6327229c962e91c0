using Microsoft.EntityFrameworkCore;

using Pingvas.Core.Credits;
using Pingvas.Engines;
using Pingvas.Server.Data;
using Pingvas.Server.Gallery;
using Pingvas.Server.Queue;

namespace Pingvas.Server.Jobs;

/// <summary>What a heartbeat learned about its claim.</summary>
public enum LeaseCheck
{
    Renewed,

    /// <summary>Renewed, and the owner asked to stop.</summary>
    CancelRequested,

    /// <summary>The claim is gone (re-claimed, timed out, dead-lettered, cancelled): stop the engine at once and write nothing.</summary>
    Fenced,
}

/// <summary>The worker's transitions: claim, progress, lease, and how a run ends. Every write is fenced by the lease's attempt.</summary>
public sealed partial class JobLifecycle
{
    /// <summary>Queued → running: the next job <paramref name="worker"/> should run (Core's ClaimPolicy), announced to its owner.</summary>
    public async Task<Job?> ClaimAsync(WorkerProfile worker, CancellationToken ct)
    {
        var claimStarted = Now;
        var job = await claimer.ClaimNextAsync(worker, Now, Now.AddSeconds(options.Value.LeaseSeconds), ct);
        if (job is not null)
        {
            using var span = Telemetry.JobActivities.Claimed(job, claimStarted);
            var dto = mapper.ToDto(job, [], null);
            await events.PublishAsync(job.UserId, dto, ct);

            // Webhooks' "started": written just after the claim commits (the claim is one statement); if this write is
            // lost, the job's final event writes it first (WebhookPublisher.StartedIfMissingAsync).
            await webhooks.GenerationAsync(job, dto, ct);
            if (db.ChangeTracker.HasChanges())
            {
                await db.SaveChangesAsync(ct);
                outboxSignal.Wake();
            }
        }

        return job;
    }

    /// <summary>
    /// Records progress for pollers, and reads the owner's cancel flag in the same statement: a cancel
    /// made between the claim and the run's registration for cancels is heard at the first step, not
    /// at the next heartbeat. Only when nothing was written does a second query tell which it was.
    /// </summary>
    public async Task<LeaseCheck> RecordProgressAsync(JobLease lease, int step, CancellationToken ct)
    {
        if (await Held(lease).Where(j => !j.CancelRequested).ExecuteUpdateAsync(s => s.SetProperty(j => j.ProgressStep, step), ct) == 1)
        {
            return LeaseCheck.Renewed;
        }

        return await Held(lease).AnyAsync(j => j.CancelRequested, ct) ? LeaseCheck.CancelRequested : LeaseCheck.Fenced;
    }

    /// <summary>A step for the owner's live view (best effort; never fails the run).</summary>
    public Task PublishProgressAsync(Job job, string? preview, CancellationToken ct) =>
        events.PublishAsync(job.UserId, mapper.ToDto(job, [], null) with { Preview = preview }, ct);

    /// <summary>Extends the lease of a claim that is still current and reads the owner's cancel flag.</summary>
    public async Task<LeaseCheck> RenewLeaseAsync(JobLease lease, CancellationToken ct)
    {
        var until = Now.AddSeconds(options.Value.LeaseSeconds);
        if (await Held(lease).ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseExpiresAt, until), ct) == 0)
        {
            return LeaseCheck.Fenced;
        }

        return await Held(lease).AnyAsync(j => j.CancelRequested, ct) ? LeaseCheck.CancelRequested : LeaseCheck.Renewed;
    }

    /// <summary>Running → succeeded: the images kept, the measured seconds charged, the rest of the hold released.</summary>
    public async Task<TransitionResult> SucceedAsync(JobLease lease, EngineResult result, IReadOnlyList<Image> images, CancellationToken ct)
    {
        using var span = Telemetry.JobActivities.StartSettle(lease, "succeed");
        await using var tx = await BeginAsync(lease.UserId, ct);
        if (await HeldJobAsync(lease, ct) is not { } job)
        {
            return TransitionResult.Fenced;
        }

        // External models cost a flat rate per image delivered (PRODUCT.md §3), not compute seconds.
        var perImage = await db.Models.Where(m => m.Id == job.ModelId && m.Kind == "external").Select(m => (int?)m.CreditsPerImage).SingleOrDefaultAsync(ct);
        var (charged, balance) = perImage is { } flat
            ? await ChargeAsync(job, flat * result.Images.Count, $"Generation: {result.Images.Count} image(s) via {result.Engine}", ct)
            : await ChargeAsync(job, CostEstimator.Charge(result.ComputeTime), $"Generation: {result.ComputeTime.TotalSeconds:0.###} GPU-seconds", ct);
        Apply(job.Succeed(Now, result.Engine, Milliseconds(result.ComputeTime), (long)result.ModelLoadTime.TotalMilliseconds, charged, result.ProviderCostUsd));
        db.Images.AddRange(images);
        await FinishedAsync(tx, job, images, balance, ct);
        await completionNotices.AfterFinishAsync(job, ct);
        await db.SaveChangesAsync(ct);
        if (job.Tags is not null)
        {
            // A second batch: the model has no navigation from tags to images, so one batch could insert a tag before its image.
            db.ImageTags.AddRange(JobTags.RowsFor(job, images));
            await db.SaveChangesAsync(ct);
        }

        await heads.UnblockAsync(job.UserId, ct);
        await tx.CommitAsync(ct);
        return TransitionResult.Done;
    }

    /// <summary>Running → failed: the engine failed; a full refund.</summary>
    public Task<TransitionResult> FailAsync(JobLease lease, string code, string message, CancellationToken ct) =>
        EndHeldAsync(lease, job => job.Fail(Now, code, message), "Refund: the generation failed", ct);

    /// <summary>Running → failed (<c>timed_out</c>): the run passed <c>Queue:MaxRunSeconds</c>; a full refund.</summary>
    public Task<TransitionResult> TimeOutAsync(JobLease lease, CancellationToken ct) =>
        EndHeldAsync(lease, job => job.TimeOut(Now, options.Value.MaxRunSeconds), "Refund: the generation timed out", ct);

    /// <summary>Running → cancelled: stopped on the owner's request; the seconds used are charged.</summary>
    public async Task<TransitionResult> CancelledAsync(JobLease lease, TimeSpan used, CancellationToken ct)
    {
        using var span = Telemetry.JobActivities.StartSettle(lease, "cancel");
        await using var tx = await BeginAsync(lease.UserId, ct);
        if (await HeldJobAsync(lease, ct) is not { } job)
        {
            return TransitionResult.Fenced;
        }

        var (charged, balance) = await ChargeAsync(job, CostEstimator.Charge(used), $"Cancelled while running: {used.TotalSeconds:0.###} GPU-seconds used", ct);
        Apply(job.CancelRunning(Now, Milliseconds(used), charged));
        await FinishedAsync(tx, job, [], balance, ct);
        await db.SaveChangesAsync(ct);
        await heads.UnblockAsync(job.UserId, ct);
        await tx.CommitAsync(ct);
        return TransitionResult.Done;
    }

    /// <summary>Running → queued: this worker is stopping; the job runs again elsewhere or after restart.</summary>
    public async Task<TransitionResult> HandBackAsync(JobLease lease, CancellationToken ct)
    {
        using var span = Telemetry.JobActivities.StartSettle(lease, "hand_back");
        await using var tx = await BeginAsync(lease.UserId, ct);
        if (await HeldJobAsync(lease, ct) is not { } job)
        {
            return TransitionResult.Fenced;
        }

        Apply(job.HandBack());
        await RequeuedAsync(tx, job, ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Handed generation {JobId} back to the queue", job.Id);
        return TransitionResult.Done;
    }

    /// <summary>
    /// Running → queued after a backoff: the engine failed in a way another try may fix (a node went
    /// away). Past <c>Queue:MaxAttempts</c> failed attempts the job is dead-lettered and refunded instead.
    /// </summary>
    public async Task<TransitionResult> RetryAsync(JobLease lease, string code, string message, CancellationToken ct)
    {
        using var span = Telemetry.JobActivities.StartSettle(lease, "retry");
        await using var tx = await BeginAsync(lease.UserId, ct);
        if (await HeldJobAsync(lease, ct) is not { } job)
        {
            return TransitionResult.Fenced;
        }

        if (job.FailedAttempts + 1 >= options.Value.MaxAttempts)
        {
            Apply(job.DeadLetter(Now, code, $"{message} It failed {job.FailedAttempts + 1} times; your credits were refunded."));
            await RefundAsync(tx, job, "Refund: the generation could not be completed", ct);
            await heads.UnblockAsync(job.UserId, ct);
        }
        else
        {
            Apply(job.Retry(Now + options.Value.BackoffFor(job.FailedAttempts + 1)));
            await RequeuedAsync(tx, job, ct);
        }

        await tx.CommitAsync(ct);
        return TransitionResult.Done;
    }

    private async Task<TransitionResult> EndHeldAsync(JobLease lease, Func<Job, bool> transition, string refundReason, CancellationToken ct)
    {
        using var span = Telemetry.JobActivities.StartSettle(lease, "fail");
        await using var tx = await BeginAsync(lease.UserId, ct);
        if (await HeldJobAsync(lease, ct) is not { } job)
        {
            return TransitionResult.Fenced;
        }

        Apply(transition(job));
        await RefundAsync(tx, job, refundReason, ct);
        await heads.UnblockAsync(job.UserId, ct);
        await tx.CommitAsync(ct);
        return TransitionResult.Done;
    }

    /// <summary>
    /// The job back in the queue from running: its pair's head is recomputed (it is older than the
    /// pair's other jobs), the owner's slot is free, the owner hears "queued" (live), and once
    /// committed the workers wake.
    /// </summary>
    private async Task RequeuedAsync(JobTransaction tx, Job job, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        await heads.RecomputeAsync(job.UserId, job.ModelId, Now, ct);
        await heads.UnblockAsync(job.UserId, ct);
        await events.PublishAsync(job.UserId, mapper.ToDto(job, [], null), ct);
        tx.AfterCommit(queueSignal.Notify);
    }

    /// <summary>The job row this lease still holds, tracked for changes; null when fenced off.</summary>
    private Task<Job?> HeldJobAsync(JobLease lease, CancellationToken ct) => Held(lease).SingleOrDefaultAsync(ct);

    private IQueryable<Job> Held(JobLease lease) =>
        db.Jobs.Where(j => j.Id == lease.JobId && j.Status == JobStatus.Running && j.Attempt == lease.Attempt && j.WorkerId == lease.WorkerId);

    /// <summary>
    /// Settles a held job: the actual charge, or usage only on unlimited plans. A balance left low
    /// or empty tells the owner once per period (<see cref="Notices.CreditNotices"/>, in this transaction).
    /// </summary>
    private async Task<(int Charged, int Balance)> ChargeAsync(Job job, int charge, string reason, CancellationToken ct)
    {
        var account = await db.Users.Where(u => u.Id == job.UserId)
            .Join(db.Plans, u => u.PlanId, p => p.Id, (u, p) => new { p.MonthlyCredits, u.PeriodStart, u.PeriodEnd }).SingleAsync(ct);
        if (account.MonthlyCredits is null && job.ReservedCredits == 0)
        {
            return (charge, await ledger.RecordUsageAsync(job.UserId, job.Id, charge, ct));
        }

        var settled = await ledger.SettleAsync(job.UserId, job.Id, charge, reason, ct);
        await creditNotices.AfterSettleAsync(job.UserId, account.MonthlyCredits, account.PeriodStart, account.PeriodEnd, settled.Balance, ct);
        return settled;
    }

    private static long Milliseconds(TimeSpan time) => (long)Math.Ceiling(time.TotalMilliseconds);

    /// <summary>The lease check above already proved the transition allowed; a refusal here is a bug, not a race.</summary>
    private static void Apply(bool allowed)
    {
        if (!allowed)
        {
            throw new InvalidOperationException("The job refused a transition its state was checked for.");
        }
    }
}
