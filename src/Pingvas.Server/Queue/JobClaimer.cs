using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Core.Scheduling;
using Pingvas.Server.Data;
using Pingvas.Server.Generation;

namespace Pingvas.Server.Queue;

/// <summary>
/// Takes the next job in queue order for a worker and leases it. Claiming is one write
/// transaction; the status-guarded update makes a job claimable exactly once.
/// </summary>
public sealed class JobClaimer(PingvasDb db, QueueReader reader, Credits.Ledger ledger, IOptions<QueueOptions> options)
{
    public async Task<Job?> ClaimNextAsync(string workerId, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockQueueAsync(ct);
        var candidates = await reader.CandidatesAsync(ct);
        var now = reader.Now;

        // A job backing off after a lost worker keeps its place but cannot start yet (nor can its owner's later jobs).
        var backingOff = await db.Jobs.Where(j => j.Status == JobStatus.Queued && j.AvailableAt > now).Select(j => j.Id).ToListAsync(ct);
        var next = QueueOrder.Next(candidates.Where(c => c.UserRound == 0 && !backingOff.Contains(c.JobId)), now, reader.Aging);
        if (next is null)
        {
            return null;
        }

        var lease = now.AddSeconds(options.Value.LeaseSeconds);
        var claimed = await db.Jobs
            .Where(j => j.Id == next.JobId && j.Status == JobStatus.Queued)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Running)
                .SetProperty(j => j.StartedAt, now)
                .SetProperty(j => j.Attempt, j => j.Attempt + 1)
                .SetProperty(j => j.WorkerId, workerId)
                .SetProperty(j => j.LeaseExpiresAt, lease)
                .SetProperty(j => j.ProgressStep, 0), ct);
        if (claimed == 0)
        {
            return null;
        }

        await db.Users.Where(u => u.Id == next.UserId).ExecuteUpdateAsync(s => s.SetProperty(u => u.LastServedAt, now), ct);
        await tx.CommitAsync(ct);
        return await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == next.JobId, ct);
    }

    /// <summary>
    /// Puts jobs whose worker vanished back in the queue. On the embedded default every worker
    /// lives in this process, so at startup every running job is orphaned; otherwise a job is
    /// orphaned when its lease expired. Past the attempt limit a job fails and is refunded instead.
    /// </summary>
    public async Task<IReadOnlyList<Job>> RecoverAsync(bool allRunning, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        var now = reader.Now;
        var orphans = await db.Jobs
            .Where(j => j.Status == JobStatus.Running && (allRunning || j.LeaseExpiresAt < now))
            .ToListAsync(ct);
        foreach (var job in orphans)
        {
            job.WorkerId = null;
            job.LeaseExpiresAt = null;
            job.ProgressStep = 0;
            if (job.Attempt >= options.Value.MaxAttempts)
            {
                // Dead letter: the job keeps losing its worker; stop retrying and give the credits back.
                job.Status = JobStatus.Failed;
                job.FinishedAt = now;
                job.ErrorCode = "worker_lost";
                job.Error = $"The job lost its worker {job.Attempt} times; its credits were refunded.";
                await db.SaveChangesAsync(ct);
                await db.LockUserAsync(job.UserId, ct);
                await ledger.ReleaseAsync(job.UserId, job.Id, "Refund: the job could not be completed", ct);
            }
            else
            {
                job.Status = JobStatus.Queued;
                job.StartedAt = null;
                job.AvailableAt = allRunning ? null : now + options.Value.BackoffFor(job.Attempt);
            }
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return orphans;
    }
}
