using Microsoft.EntityFrameworkCore;

using Npgsql;

using NpgsqlTypes;

using Pingvas.Core.Scheduling;
using Pingvas.Server.Data;
using Pingvas.Server.Jobs;

namespace Pingvas.Server.Queue;

/// <summary>
/// Takes the next job in queue order for a worker and leases it: the queued → running transition
/// of <see cref="JobLifecycle.ClaimAsync"/>. The status-guarded update makes a job claimable
/// exactly once. PostgreSQL claims in one statement that locks only the owner's user row, so
/// there the transition is applied in SQL (its SET mirrors <see cref="Job.Claim"/>, and
/// ClaimOrderTests checks that the two agree); SQLite's immediate transaction serialises
/// everything, so it orders the queue in C# and applies <see cref="Job.Claim"/> itself.
/// </summary>
public sealed class JobClaimer(PingvasDb db, QueueReader reader)
{
    /// <summary>
    /// The claim on PostgreSQL, one round trip in autocommit. <c>heads</c> is a loose index scan
    /// over ix_jobs_queued_head: one probe per user with queued work finds that user's oldest job.
    /// <c>running</c> counts running jobs per user once (at most the worker slots; a count per head
    /// let the planner scan every running job for each head). <c>candidates</c> keeps the
    /// claimable heads with <see cref="QueueOrder.EffectivePriority"/>;
    /// <c>pick</c> takes the first in <see cref="QueueOrder.Next"/>'s order and locks its owner's
    /// user row. Every move of a job out of <c>queued</c> (submit, cancel, claim) holds that lock,
    /// so claims for one user are serialised (exact running limits) while claims for different
    /// users run in parallel, and SKIP LOCKED passes over a busy user instead of waiting.
    /// A claim committed after this statement's snapshot changed the user row (last_served_at),
    /// so its version (xmin) differs from the one read: that user is passed over too, rather than
    /// picking a head already taken. A head cancelled meanwhile fails the status guard: no row.
    /// The plan must not depend on statistics, which swing as the queue fills and drains (stale,
    /// they made the planner scan every queued job per probe or per update): the job is updated
    /// at the row address its head probe found (ctid, a TID scan; if the row changed since, the
    /// re-check fails and no row is claimed), and 0007 dropped the index a probe could wander into.
    /// </summary>
    private const string ClaimSql = """
        WITH RECURSIVE heads AS (
            (SELECT j.ctid AS job_row, j.id, j.user_id, j.priority, j.created_at, j.available_at
             FROM jobs j
             WHERE j.status = 'queued'
             ORDER BY j.user_id, j.created_at, j.id
             LIMIT 1)
            UNION ALL
            SELECT n.job_row, n.id, n.user_id, n.priority, n.created_at, n.available_at
            FROM heads h
            CROSS JOIN LATERAL (
                SELECT j.ctid AS job_row, j.id, j.user_id, j.priority, j.created_at, j.available_at
                FROM jobs j
                WHERE j.status = 'queued' AND j.user_id > h.user_id
                ORDER BY j.user_id, j.created_at, j.id
                LIMIT 1) n
        ),
        running AS MATERIALIZED (
            SELECT r.user_id, count(*) AS n FROM jobs r WHERE r.status = 'running' GROUP BY r.user_id
        ),
        candidates AS (
            SELECT h.job_row, h.id, h.user_id, h.created_at, u.xmin AS seen, u.last_served_at,
                CASE WHEN @step <= 0 THEN h.priority
                     ELSE greatest(h.priority, least(@max, h.priority + least(floor(
                         greatest(0, extract(epoch FROM @now - greatest(h.created_at, u.last_served_at))::float8) / @step), @max)::int))
                END AS effective
            FROM heads h
            JOIN users u ON u.id = h.user_id
            JOIN plans p ON p.id = u.plan_id
            LEFT JOIN running r ON r.user_id = h.user_id
            WHERE (h.available_at IS NULL OR h.available_at <= @now)
              AND (p.concurrent_jobs IS NULL OR coalesce(r.n, 0) < p.concurrent_jobs)
        ),
        pick AS (
            SELECT c.job_row, c.user_id
            FROM candidates c
            JOIN users u ON u.id = c.user_id
            WHERE u.xmin = c.seen
            ORDER BY c.effective DESC, c.last_served_at ASC NULLS FIRST, c.created_at, c.id
            LIMIT 1
            FOR NO KEY UPDATE OF u SKIP LOCKED
        ),
        claimed AS (
            UPDATE jobs
            SET status = 'running', started_at = @now, attempt = jobs.attempt + 1, worker_id = @worker,
                lease_expires_at = @lease, progress_step = 0
            WHERE jobs.ctid = (SELECT job_row FROM pick) AND jobs.status = 'queued'
            RETURNING jobs.*
        ),
        served AS (
            UPDATE users SET last_served_at = @now WHERE users.id = (SELECT user_id FROM claimed)
        )
        SELECT * FROM claimed
        """;

    /// <summary>Claims the next job in queue order with a lease until <paramref name="leaseUntil"/>; only <see cref="JobLifecycle.ClaimAsync"/> calls this.</summary>
    public Task<Job?> ClaimNextAsync(string workerId, DateTime now, DateTime leaseUntil, CancellationToken ct) =>
        db.Database.IsNpgsql() ? ClaimOnPostgresAsync(workerId, now, leaseUntil, ct) : ClaimOnSqliteAsync(workerId, now, leaseUntil, ct);

    private async Task<Job?> ClaimOnPostgresAsync(string workerId, DateTime now, DateTime leaseUntil, CancellationToken ct)
    {
        var aging = reader.Aging;
        var parameters = new object[]
        {
            new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now },
            new NpgsqlParameter("step", NpgsqlDbType.Double) { Value = aging.StepSeconds },
            new NpgsqlParameter("max", NpgsqlDbType.Integer) { Value = aging.MaxPriority },
            new NpgsqlParameter("worker", NpgsqlDbType.Text) { Value = workerId },
            new NpgsqlParameter("lease", NpgsqlDbType.TimestampTz) { Value = leaseUntil },
        };

        // No LINQ on top: EF would wrap the statement in a subquery, which a data-modifying WITH cannot be.
        var claimed = await db.Jobs.FromSqlRaw(ClaimSql, parameters).AsNoTracking().ToListAsync(ct);
        return claimed.SingleOrDefault();
    }

    private async Task<Job?> ClaimOnSqliteAsync(string workerId, DateTime now, DateTime leaseUntil, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        var candidates = await reader.CandidatesAsync(ct);

        // A job backing off after a lost worker keeps its place but cannot start yet (nor can its owner's later jobs).
        var backingOff = await db.Jobs.Where(j => j.Status == JobStatus.Queued && j.AvailableAt > now).Select(j => j.Id).ToListAsync(ct);
        var next = QueueOrder.Next(candidates.Where(c => c.UserRound == 0 && !backingOff.Contains(c.JobId)), now, reader.Aging);
        if (next is null)
        {
            return null;
        }

        // The immediate transaction excludes every other writer, so the job is still queued.
        var job = await db.Jobs.SingleAsync(j => j.Id == next.JobId, ct);
        if (!job.Claim(workerId, now, leaseUntil))
        {
            return null;
        }

        await db.SaveChangesAsync(ct);
        await db.Users.Where(u => u.Id == next.UserId).ExecuteUpdateAsync(s => s.SetProperty(u => u.LastServedAt, now), ct);
        await tx.CommitAsync(ct);
        db.Entry(job).State = EntityState.Detached;
        return job;
    }
}
