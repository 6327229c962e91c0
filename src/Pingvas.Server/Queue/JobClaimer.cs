using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Npgsql;

using NpgsqlTypes;

using Pingvas.Core.Scheduling;
using Pingvas.Server.Data;
using Pingvas.Server.Jobs;

namespace Pingvas.Server.Queue;

/// <summary>
/// Takes the next job for a worker and leases it: the queued → running transition of
/// <see cref="JobLifecycle.ClaimAsync"/>, by <see cref="ClaimPolicy"/> (models the worker serves,
/// queue order, bounded model affinity) over the queue heads (<see cref="QueueHeads"/>). The
/// status-guarded update makes a job claimable exactly once. PostgreSQL claims in one round trip
/// (ClaimSql.cs) that locks only the owner's user row; SQLite's immediate transaction serialises
/// everything, so it applies the policy and <see cref="Job.Claim"/> in C#. ClaimOrderTests holds
/// the two equal to the pure policy.
/// </summary>
public sealed class JobClaimer(PingvasDb db, QueueReader reader, QueueHeads heads, IOptions<QueueOptions> options)
{
    /// <summary>Heads read per model: enough that owners at their running limit rarely hide a ready one, and pressure's count.</summary>
    private const int Depth = ClaimPolicy.PressureDepth;

    private ClaimRules Rules => new(
        reader.Aging,
        TimeSpan.FromSeconds(Math.Max(0, options.Value.AffinityMaxDelaySeconds)),
        TimeSpan.FromSeconds(Math.Max(0, options.Value.FasterWorkerGraceSeconds)),
        TimeSpan.FromSeconds(Math.Max(0, options.Value.LoraAffinityGraceSeconds)));

    /// <summary>Claims the next job for <paramref name="worker"/> with a lease until <paramref name="leaseUntil"/>; only <see cref="JobLifecycle.ClaimAsync"/> calls this.</summary>
    public Task<Job?> ClaimNextAsync(WorkerProfile worker, DateTime now, DateTime leaseUntil, CancellationToken ct) =>
        worker.Models.Count == 0 ? Task.FromResult<Job?>(null)
        : db.Database.IsNpgsql() ? ClaimOnPostgresAsync(worker, now, leaseUntil, ct)
        : ClaimOnSqliteAsync(worker, now, leaseUntil, ct);

    private async Task<Job?> ClaimOnPostgresAsync(WorkerProfile worker, DateTime now, DateTime leaseUntil, CancellationToken ct)
    {
        // An owner at the running limit not yet marked blocked can hide the heads below it: then
        // nothing is claimed, those owners are marked (safely, under their locks), and the claim runs again.
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var claimed = (await db.Jobs.FromSqlRaw(ClaimSql.AgeThenClaim, Parameters(worker, now, leaseUntil)).AsNoTracking().ToListAsync(ct)).SingleOrDefault();
            if (claimed is not null)
            {
                return claimed;
            }

            var atLimit = await db.Database.SqlQueryRaw<Guid>(ClaimSql.OwnersAtLimit, Parameters(worker, now, leaseUntil)).ToListAsync(ct);
            if (atLimit.Count > 0 && await heads.BlockAtLimitAsync(atLimit, ct) > 0)
            {
                continue;
            }

            // Nothing to claim: before idling, clear any blocked flag whose owner has a free slot after
            // all. Blocked is only a hint for the index (the claim re-checks the limit itself), so
            // clearing it is always safe, and a flag missed by any path cannot strand an owner's jobs.
            if (await db.Database.ExecuteSqlRawAsync(ClaimSql.UnblockFreed, ct) == 0)
            {
                return null;
            }
        }

        return null;
    }

    private object[] Parameters(WorkerProfile worker, DateTime now, DateTime leaseUntil)
    {
        var rules = Rules;
        var aging = rules.Aging;
        var deferred = worker.FasterIdle is { Count: > 0 } faster ? worker.Models.Where(faster.Contains).ToArray() : [];
        // (model, LoRA) pairs held by other idle workers, for the models this worker serves; LoRA ids as WorkerLoras writes them.
        var holders = (worker.LoraHolders ?? new Dictionary<string, IReadOnlySet<Guid>>())
            .Where(m => worker.Models.Contains(m.Key)).SelectMany(m => m.Value.Select(l => (Model: m.Key, Lora: l.ToString("N")))).ToList();
        return
        [
            new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now },
            new NpgsqlParameter("step", NpgsqlDbType.Double) { Value = aging.StepSeconds },
            new NpgsqlParameter("max", NpgsqlDbType.Integer) { Value = aging.MaxPriority },
            new NpgsqlParameter("worker", NpgsqlDbType.Text) { Value = worker.WorkerId },
            new NpgsqlParameter("lease", NpgsqlDbType.TimestampTz) { Value = leaseUntil },
            new NpgsqlParameter("models", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = worker.Models.ToArray() },
            new NpgsqlParameter("loaded", NpgsqlDbType.Text) { Value = (object?)worker.LoadedModel ?? DBNull.Value },
            new NpgsqlParameter("delay", NpgsqlDbType.Double) { Value = rules.AffinityMaxDelay.TotalSeconds },
            new NpgsqlParameter("deferred", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = deferred },
            new NpgsqlParameter("grace", NpgsqlDbType.Double) { Value = rules.FasterWorkerGrace.TotalSeconds },
            new NpgsqlParameter("depth", NpgsqlDbType.Integer) { Value = Depth },
            new NpgsqlParameter("lora_grace", NpgsqlDbType.Double) { Value = rules.LoraHolderGrace.TotalSeconds },
            new NpgsqlParameter("held", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = (worker.HeldLoras ?? []).Select(l => l.ToString("N")).ToArray() },
            new NpgsqlParameter("holder_models", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = holders.Select(h => h.Model).ToArray() },
            new NpgsqlParameter("holder_loras", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = holders.Select(h => h.Lora).ToArray() },
        ];
    }

    private async Task<Job?> ClaimOnSqliteAsync(WorkerProfile worker, DateTime now, DateTime leaseUntil, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        var models = worker.Models.ToList();
        var rows = await db.QueueHeads.Where(h => models.Contains(h.ModelId))
            .Where(h => db.Jobs.Any(j => j.Id == h.JobId && j.Status == JobStatus.Queued)).ToListAsync(ct);
        var owners = rows.Select(h => h.UserId).Distinct().ToList();
        var limits = await db.Users.Where(u => owners.Contains(u.Id))
            .Join(db.Plans, u => u.PlanId, p => p.Id, (u, p) => new { u.Id, p.ConcurrentJobs }).ToDictionaryAsync(u => u.Id, u => u.ConcurrentJobs, ct);
        var running = await db.Jobs.Where(j => j.Status == JobStatus.Running && owners.Contains(j.UserId))
            .GroupBy(j => j.UserId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        bool AtLimit(Guid user) => limits[user] is { } max && running.GetValueOrDefault(user) >= max;

        var choice = ClaimPolicy.Choose(rows.Select(h => h.ToHead(AtLimit(h.UserId))), worker.View, now, Rules);
        if (choice is null)
        {
            return null;
        }

        // The immediate transaction excludes every other writer, so the job is still queued.
        var job = await db.Jobs.SingleAsync(j => j.Id == choice.Job.JobId, ct);
        if (!job.Claim(worker.WorkerId, now, leaseUntil))
        {
            return null;
        }

        await db.Users.Where(u => u.Id == job.UserId).ExecuteUpdateAsync(s => s.SetProperty(u => u.LastServedAt, now), ct);
        var nowAtLimit = limits[job.UserId] is { } limit && running.GetValueOrDefault(job.UserId) + 1 >= limit;
        await AdvanceHeadsAsync(job, rows, choice, nowAtLimit, now, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.Entry(job).State = EntityState.Detached;
        return job;
    }

    /// <summary>SQLite's half of what ClaimSql does after the claim: the pair's next head, the owner's served time on its other heads, the pass-over stamp.</summary>
    private async Task AdvanceHeadsAsync(Job job, List<QueueHeadRow> rows, ClaimChoice choice, bool nowAtLimit, DateTime now, CancellationToken ct)
    {
        var aging = reader.Aging;
        var own = await db.QueueHeads.Where(h => h.UserId == job.UserId).ToListAsync(ct);
        foreach (var head in own)
        {
            head.ServedAt = now;
            head.Blocked |= nowAtLimit;
            if (head.JobId == job.Id)
            {
                var next = await db.Jobs.AsNoTracking()
                    .Where(j => j.UserId == job.UserId && j.ModelId == job.ModelId && j.Status == JobStatus.Queued && j.Id != job.Id)
                    .OrderBy(j => j.CreatedAt).ThenBy(j => j.Id).FirstOrDefaultAsync(ct);
                if (next is null)
                {
                    db.QueueHeads.Remove(head);
                    continue;
                }

                (head.JobId, head.Priority, head.CreatedAt, head.AvailableAt, head.PassedOverAt) = (next.Id, next.Priority, next.CreatedAt, next.AvailableAt, null);
                head.Loras = await heads.LorasOfAsync(next.Id, ct);
            }

            head.Age(now, aging);
        }

        if (choice.PassedOver is { } passed && rows.Concat(own).FirstOrDefault(h => h.JobId == passed.JobId) is { PassedOverAt: null } row)
        {
            row.PassedOverAt = now;
        }
    }
}
