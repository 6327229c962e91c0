using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Core.Scheduling;
using Pingvas.Server.Accounts;
using Pingvas.Server.Credits;
using Pingvas.Server.Data;
using Pingvas.Server.Gallery;
using Pingvas.Server.Generation;
using Pingvas.Server.Outbox;
using Pingvas.Server.Queue;
using Pingvas.Server.Realtime;

namespace Pingvas.Server.Jobs;

/// <summary>What came of a transition a worker or the system asked for.</summary>
public enum TransitionResult
{
    Done,

    /// <summary>The caller's lease is no longer the job's current claim (re-claimed, cancelled, timed out, dead-lettered): nothing was written.</summary>
    Fenced,
}

/// <summary>
/// The one owner of job state. Every transition of <see cref="JobTransitions"/> happens here, in
/// one transaction with its side effects: the credit operation (<see cref="Ledger"/>), the owner's
/// event (a terminal one as an outbox row, so it cannot be lost; others live, best effort) and,
/// after the commit, the queue wake-up. The guard itself is the <see cref="Job"/> aggregate's;
/// callers (the API, workers, recovery) never change a job's status themselves.
/// This file: the owner's transitions (submit, cancel); the worker's and the system's follow in
/// JobLifecycle.Worker.cs and JobLifecycle.Recovery.cs.
/// </summary>
public sealed partial class JobLifecycle(
    PingvasDb db,
    Ledger ledger,
    Notices.CreditNotices creditNotices,
    Notices.CompletionNotices completionNotices,
    OutboxWriter outbox,
    OutboxSignal outboxSignal,
    IGenerationEvents events,
    QueueSignal queueSignal,
    QueueSnapshot snapshot,
    QueueReader queue,
    JobClaimer claimer,
    QueueHeads heads,
    CancellationRegistry cancellations,
    GenerationMapper mapper,
    Webhooks.WebhookPublisher webhooks,
    IOptions<QueueOptions> options,
    TimeProvider time,
    Telemetry.PingvasMetrics metrics,
    ILogger<JobLifecycle> logger)
{
    /// <summary>Microseconds, as PostgreSQL stores them, so a job compares equal to its stored self.</summary>
    private DateTime Now
    {
        get
        {
            var now = time.GetUtcNow().UtcDateTime;
            return now.AddTicks(-(now.Ticks % 10));
        }
    }

    /// <summary>Begins a transition transaction for <paramref name="ownerId"/>'s jobs, the owner's row locked and read in one round trip.</summary>
    public async Task<JobTransaction> BeginWithOwnerAsync(Guid ownerId, CancellationToken ct)
    {
        var transaction = await db.BeginWriteAsync(ct);
        try
        {
            // A user this context tracks already keeps its old values through a query: the submit checks
            // the storage totals of this row, so such a row is read again (no submit path tracks it today).
            var tracked = db.Users.Local.FindEntry(ownerId);
            var rows = db.Database.IsNpgsql()
                ? await db.Users.FromSql(Transactions.LockUserSql(ownerId)).ToListAsync(ct)
                : await db.Users.Where(u => u.Id == ownerId).ToListAsync(ct);
            if (tracked is not null)
            {
                await tracked.ReloadAsync(ct);
            }

            return new JobTransaction(transaction, rows.Single());
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Submit → queued: adds <paramref name="job"/> with <paramref name="estimate"/> credits held
    /// (nothing held on unlimited plans), and publishes "queued" so that it is delivered at commit,
    /// before any worker's "running". Short of credits, nothing is added and the caller rolls back.
    /// </summary>
    /// <param name="ahead">The owner's jobs already queued (the new job's round), and whether any is for the job's model.</param>
    /// <param name="loras">The job's LoRAs: its queue head carries them for LoRA-aware claims.</param>
    public async Task<(bool Reserved, int Balance, GenerationDto Generation)> EnqueueAsync(
        JobTransaction tx, Job job, int estimate, bool unlimited, QueuedAhead ahead, int? concurrentJobs, IEnumerable<Guid> loras, CancellationToken ct)
    {
        if (job.Status != JobStatus.Queued || job.Attempt != 0)
        {
            throw new InvalidOperationException("A new job starts queued and unclaimed.");
        }

        Telemetry.JobActivities.Enqueued(job);
        db.Jobs.Add(job);
        var head = await heads.TrackNewAsync(job, tx.Owner.LastServedAt, ahead, loras, Now, ct);
        int balance;
        if (unlimited)
        {
            await db.SaveChangesAsync(ct);
            balance = (await ledger.BalanceAsync(job.UserId, ct)).Balance;
        }
        else
        {
            (var reserved, balance) = await ledger.ReserveAsync(job.UserId, job.Id, estimate, ct);
            if (!reserved)
            {
                db.Jobs.Entry(job).State = EntityState.Detached;
                if (head is not null)
                {
                    db.QueueHeads.Entry(head).State = EntityState.Detached;
                }

                return (false, balance, mapper.ToDto(job, [], null));
            }
        }

        var position = await snapshot.PositionOfAsync(
            new QueueCandidate(job.Id, job.UserId, job.Priority, job.CreatedAt, tx.Owner.LastServedAt, ahead.Count, 0, concurrentJobs), queue, ct);
        var dto = mapper.ToDto(job, [], position);
        await events.PublishAsync(job.UserId, dto with { Balance = balance }, ct);
        if (job.WebhookUrl is not null)
        {
            // The per-generation webhook is signed with the account's default secret: made now, under the owner's lock.
            await webhooks.DefaultSecretAsync(job.UserId, ct);
        }

        await webhooks.GenerationAsync(job, dto, ct);
        await db.SaveChangesAsync(ct);
        tx.AfterCommit(outboxSignal.Wake);
        tx.AfterCommit(queueSignal.Notify);
        return (true, balance, dto);
    }

    /// <summary>
    /// The owner cancels: a queued job is cancelled at once with a full refund; a running one whose
    /// lease ran out (its worker is gone) too; a running one with a live worker is asked to stop,
    /// and its worker charges the seconds used. A finished job stays as it is. Null: no such job of this owner.
    /// </summary>
    public async Task<Job?> CancelAsync(Guid ownerId, Guid jobId, CancellationToken ct)
    {
        await using var tx = await BeginAsync(ownerId, ct);
        var job = await db.Jobs.SingleOrDefaultAsync(j => j.Id == jobId && j.UserId == ownerId, ct);
        if (job is null)
        {
            return null;
        }

        var now = Now;
        if (job.Can(JobTrigger.CancelQueued))
        {
            job.CancelQueued(now);
            await RefundAsync(tx, job, "Refund: cancelled before it started", ct);
            await heads.RecomputeAsync(job.UserId, job.ModelId, now, ct);
        }
        else if (job.Status == JobStatus.Running && job.LeaseExpiresAt <= now)
        {
            // Its worker stopped renewing the lease: it will not stop the job, so the cancel does.
            // Should that worker still be rendering somewhere, the cancel below and its fencing stop it.
            job.CancelOrphaned(now);
            await RefundAsync(tx, job, "Refund: cancelled while its worker was lost", ct);
            await heads.UnblockAsync(job.UserId, ct);
            tx.AfterCommit(() => cancellations.Cancel(jobId));
        }
        else if (job.RequestCancel())
        {
            await db.SaveChangesAsync(ct);

            // Stops the render at once wherever it runs; the heartbeat's look at the flag is the fallback.
            tx.AfterCommit(() => cancellations.Cancel(jobId));
        }

        await tx.CommitAsync(ct);
        return job;
    }

    /// <summary>
    /// The owner cancels every job of theirs still waiting, in one transaction under the owner's
    /// lock: each is cancelled with a full refund and its final event, as a single cancel of a
    /// queued job would, and the queue heads of the models they waited for are recomputed.
    /// Running jobs are left alone. Returns the cancelled jobs and the credits their holds gave back.
    /// </summary>
    public async Task<(IReadOnlyList<Job> Jobs, int Refunded)> CancelQueuedAsync(Guid ownerId, CancellationToken ct)
    {
        await using var tx = await BeginAsync(ownerId, ct);
        var jobs = await db.Jobs.Where(j => j.UserId == ownerId && j.Status == JobStatus.Queued).OrderBy(j => j.Id).ToListAsync(ct);
        if (jobs.Count == 0)
        {
            return ([], 0);
        }

        // Read under the lock before releasing: what goes back is exactly what these jobs hold now.
        var ids = jobs.Select(j => j.Id).ToList();
        var refunded = await db.LotHolds.Where(h => h.UserId == ownerId && ids.Contains(h.JobId) && !h.Settled).SumAsync(h => h.Held, ct);
        var now = Now;
        foreach (var job in jobs)
        {
            if (!job.CancelQueued(now))
            {
                throw new InvalidOperationException($"Queued job {job.Id} refused to be cancelled.");
            }

            await RefundAsync(tx, job, "Refund: cancelled before it started", ct);
        }

        foreach (var model in jobs.Select(j => j.ModelId).Distinct())
        {
            await heads.RecomputeAsync(ownerId, model, now, ct);
        }

        await tx.CommitAsync(ct);
        return (jobs, refunded);
    }

    private async Task<JobTransaction> BeginAsync(Guid ownerId, CancellationToken ct)
    {
        var transaction = await db.BeginWriteAsync(ct);
        try
        {
            await db.LockUserAsync(ownerId, ct);
            return new JobTransaction(transaction, null);
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    /// <summary>Gives back the job's whole hold, records its terminal event and saves.</summary>
    private async Task RefundAsync(JobTransaction tx, Job job, string reason, CancellationToken ct)
    {
        var balance = await ledger.ReleaseAsync(job.UserId, job.Id, reason, ct);
        await FinishedAsync(tx, job, [], balance, ct);
        await completionNotices.AfterFinishAsync(job, ct);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// A job reached a final state: its event goes into the outbox with the change, and once
    /// committed the dispatcher is woken, as are the workers (the owner's slot is free).
    /// </summary>
    private async Task FinishedAsync(JobTransaction tx, Job job, IEnumerable<Image> images, int? balance, CancellationToken ct)
    {
        var generation = mapper.ToDto(job, images, null) with { Balance = balance };
        outbox.Add(GenerationEventMessage.Topic, job.UserId, GenerationEventMessage.Serialize(job.UserId, generation));
        await webhooks.GenerationAsync(job, generation, ct);
        tx.AfterCommit(outboxSignal.Wake);
        tx.AfterCommit(queueSignal.Notify);
        tx.AfterCommit(() => metrics.Finished(job));
    }
}
