using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Queue;

namespace Pingvas.Server.Jobs;

/// <summary>What one recovery pass did, by outcome.</summary>
public sealed record RecoveryReport(int Requeued, int DeadLettered, int Cancelled, int TimedOut)
{
    public int Total => Requeued + DeadLettered + Cancelled + TimedOut;
}

/// <summary>The system's transitions: jobs whose worker is gone, and jobs that run too long.</summary>
public sealed partial class JobLifecycle
{
    /// <summary>
    /// Settles every running job that no live worker will finish. Orphaned — its lease expired or,
    /// at startup, its worker died with a previous process (on SQLite every running job; on
    /// PostgreSQL only jobs of dead processes of this machine, <see cref="WorkerNames.RanHereAndIsGone"/>):
    /// cancelled with a full refund if its owner asked to cancel, dead-lettered and refunded after
    /// <c>Queue:MaxAttempts</c> failed attempts, otherwise back in the queue after a backoff (none
    /// at startup). Overdue — running past <c>Queue:MaxRunSeconds</c> plus a lease's grace, which
    /// its own worker should have stopped: timed out and refunded. A worker still rendering any of
    /// these finds itself fenced off at its next heartbeat and stops.
    /// </summary>
    public async Task<RecoveryReport> RecoverAsync(bool atStartup, CancellationToken ct)
    {
        var now = Now;
        var settings = options.Value;
        var overdueSince = now.AddSeconds(-(settings.MaxRunSeconds + settings.LeaseSeconds));
        var singleProcess = !db.Database.IsNpgsql();
        bool Orphaned(Job job) => job.LeaseExpiresAt < now || (atStartup && (singleProcess || WorkerNames.RanHereAndIsGone(job.WorkerId)));
        bool Overdue(Job job) => settings.MaxRunSeconds > 0 && job.StartedAt < overdueSince;
        var running = db.Jobs.Where(j => j.Status == JobStatus.Running && (atStartup || j.LeaseExpiresAt < now || j.StartedAt < overdueSince));

        // A late finish by the lost worker takes the owner's lock too: lock the owners first (in id
        // order, so two recoveries cannot deadlock), then read the jobs again, so neither overwrites the other.
        var owners = (await running.AsNoTracking().ToListAsync(ct)).Where(j => Orphaned(j) || Overdue(j)).Select(j => j.UserId).Distinct().Order().ToList();
        if (owners.Count == 0)
        {
            return new RecoveryReport(0, 0, 0, 0);
        }

        var transaction = await db.BeginWriteAsync(ct);
        await using var tx = new JobTransaction(transaction, null);
        foreach (var owner in owners)
        {
            await db.LockUserAsync(owner, ct);
        }

        int requeued = 0, deadLettered = 0, cancelled = 0, timedOut = 0;
        var freed = new HashSet<Guid>();

        // A job orphaned since the first read waits for the next pass, whose locks will cover it.
        foreach (var job in (await running.ToListAsync(ct)).Where(j => owners.Contains(j.UserId) && (Overdue(j) || Orphaned(j))))
        {
            freed.Add(job.UserId);
            if (Overdue(job))
            {
                job.TimeOut(now, settings.MaxRunSeconds);
                await RefundAsync(tx, job, "Refund: the generation timed out", ct);
                timedOut++;
            }
            else if (job.CancelRequested)
            {
                job.CancelOrphaned(now);
                await RefundAsync(tx, job, "Refund: cancelled while its worker was lost", ct);
                cancelled++;
            }
            else if (job.FailedAttempts + 1 >= settings.MaxAttempts)
            {
                job.DeadLetter(now, "worker_lost", $"The job lost its worker {job.FailedAttempts + 1} times; its credits were refunded.");
                await RefundAsync(tx, job, "Refund: the job could not be completed", ct);
                deadLettered++;
            }
            else
            {
                job.RequeueLost(atStartup ? null : now + settings.BackoffFor(job.FailedAttempts + 1));
                await RequeuedAsync(tx, job, ct);
                requeued++;
            }
        }

        await db.SaveChangesAsync(ct);
        foreach (var owner in freed)
        {
            await heads.UnblockAsync(owner, ct);
        }

        await tx.CommitAsync(ct);
        return new RecoveryReport(requeued, deadLettered, cancelled, timedOut);
    }
}
