using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Core.Scheduling;
using Pingvas.Server.Data;
using Pingvas.Server.Jobs;
using Pingvas.Server.Workers;

namespace Pingvas.Server.Queue;

/// <summary>
/// Keeps <c>queue_heads</c> in step with the jobs: for each user and model with queued work, the
/// pair's next job, so that a claim reads a few index entries per model rather than one per
/// waiting user (Queue/JobClaimer). It is derived state with one writer: the job lifecycle calls
/// these methods inside its transitions, under the owner's lock; the claim moves a head on itself.
/// </summary>
public sealed class QueueHeads(PingvasDb db, DatabaseTenant tenant, IOptions<QueueOptions> options)
{
    private AgingPolicy Aging => new(options.Value.AgingSeconds);

    /// <summary>
    /// A job is being submitted: it becomes its pair's head unless the pair has one already (an
    /// older queued job, <see cref="QueuedAhead.ForModel"/>). Tracked, not saved: the head is
    /// inserted with the job, in the same batch. Only an owner with jobs queued for other models
    /// costs a query: their heads know whether it is at its running limit. An owner with nothing
    /// queued starts unflagged (blocked is a hint; the claim checks the limit itself).
    /// </summary>
    /// <param name="loras">The job's LoRAs (its <c>job_inputs</c>, written after the job row).</param>
    /// <returns>The tracked head, or null when the pair has one.</returns>
    public async Task<QueueHeadRow?> TrackNewAsync(Job job, DateTime? ownerServedAt, QueuedAhead ahead, IEnumerable<Guid> loras, DateTime now, CancellationToken ct)
    {
        if (ahead.ForModel)
        {
            return null;
        }

        var head = NewHead(job, ownerServedAt, WorkerLoras.Join(loras), now);
        head.Blocked = ahead.Count > 0 && await db.QueueHeads.AnyAsync(h => h.UserId == job.UserId && h.Blocked, ct);
        db.QueueHeads.Add(head);
        return head;
    }

    /// <summary>
    /// A job of the pair left the queue other than by a claim (cancelled) or came back to it (handed
    /// back, retried, re-queued): the pair's head is its oldest queued job again, or none.
    /// </summary>
    public async Task RecomputeAsync(Guid userId, string modelId, DateTime now, CancellationToken ct)
    {
        var next = await db.Jobs
            .Where(j => j.UserId == userId && j.ModelId == modelId && j.Status == JobStatus.Queued)
            .OrderBy(j => j.CreatedAt).ThenBy(j => j.Id)
            .FirstOrDefaultAsync(ct);
        var current = await db.QueueHeads.SingleOrDefaultAsync(h => h.UserId == userId && h.ModelId == modelId, ct);
        if (next is null)
        {
            if (current is not null)
            {
                db.QueueHeads.Remove(current);
            }
        }
        else if (current is null || current.JobId != next.Id || current.AvailableAt != next.AvailableAt)
        {
            var servedAt = await db.Users.Where(u => u.Id == userId).Select(u => u.LastServedAt).SingleAsync(ct);
            var head = NewHead(next, servedAt, await LorasOfAsync(next.Id, ct), now);
            if (current is null)
            {
                db.QueueHeads.Add(head);
            }
            else
            {
                head.Blocked = current.Blocked;
                head.PassedOverAt = current.JobId == next.Id ? current.PassedOverAt : null;
                db.Entry(current).CurrentValues.SetValues(head);
            }
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// One of the owner's jobs stopped running: a slot is free, so the owner's heads compete again.
    /// Called under the owner's lock, which gives the owner's row a new version: a claim that counted
    /// the owner's running jobs before this commits passes the owner over instead of flagging its
    /// heads blocked from a stale count (Data/Transactions.LockUserAsync, ClaimSql <c>pick</c>).
    /// </summary>
    public Task UnblockAsync(Guid userId, CancellationToken ct) =>
        db.QueueHeads.Where(h => h.UserId == userId && h.Blocked).ExecuteUpdateAsync(s => s.SetProperty(h => h.Blocked, false), ct);

    /// <summary>
    /// Takes the heads of owners at their running limit out of the claim's index. In its own short
    /// transaction, under the owner's lock, with a fresh count: a job that stopped running after the
    /// claim looked cannot leave an owner blocked with a free slot (its transition unblocks under the same lock).
    /// </summary>
    public async Task<int> BlockAtLimitAsync(IEnumerable<Guid> userIds, CancellationToken ct)
    {
        var blocked = 0;
        foreach (var userId in userIds.Distinct().Order())
        {
            await using var tx = await db.BeginWriteAsync(ct);
            await db.LockUserAsync(userId, ct);
            var limit = await db.Users.Where(u => u.Id == userId).Join(db.Plans, u => u.PlanId, p => p.Id, (u, p) => p.ConcurrentJobs).SingleAsync(ct);
            var running = await db.Jobs.CountAsync(j => j.UserId == userId && j.Status == JobStatus.Running, ct);
            if (limit is { } max && running >= max)
            {
                blocked += await db.QueueHeads.Where(h => h.UserId == userId && !h.Blocked).ExecuteUpdateAsync(s => s.SetProperty(h => h.Blocked, true), ct);
            }

            await tx.CommitAsync(ct);
        }

        return blocked;
    }

    /// <summary>Recomputes every head from the jobs (after a migration, a configuration change of aging, or a repair). System work.</summary>
    public async Task<int> RebuildAsync(DateTime now, CancellationToken ct)
    {
        if (!tenant.IsSystem)
        {
            throw new InvalidOperationException("Rebuilding the queue heads reads every user's jobs: run it in system context.");
        }

        await using var tx = await db.BeginWriteAsync(ct);
        await db.QueueHeads.ExecuteDeleteAsync(ct);
        var queued = await db.Jobs.AsNoTracking().Where(j => j.Status == JobStatus.Queued).ToListAsync(ct);
        var served = await db.Users.AsNoTracking().Where(u => u.LastServedAt != null).ToDictionaryAsync(u => u.Id, u => u.LastServedAt, ct);
        var atLimit = (await db.Users.AsNoTracking()
            .Join(db.Plans, u => u.PlanId, p => p.Id, (u, p) => new { u.Id, p.ConcurrentJobs })
            .Where(u => u.ConcurrentJobs != null && db.Jobs.Count(j => j.UserId == u.Id && j.Status == JobStatus.Running) >= u.ConcurrentJobs)
            .Select(u => u.Id).ToListAsync(ct)).ToHashSet();
        var loras = (await db.JobInputs.AsNoTracking()
            .Where(i => i.Kind == JobInputKinds.Lora && db.Jobs.Any(j => j.Id == i.JobId && j.Status == JobStatus.Queued))
            .Select(i => new { i.JobId, i.RefId }).ToListAsync(ct))
            .ToLookup(i => i.JobId, i => i.RefId);
        var heads = queued
            .GroupBy(j => (j.UserId, j.ModelId))
            .Select(g => g.OrderBy(j => j.CreatedAt).ThenBy(j => j.Id).First())
            .Select(j => NewHead(j, served.GetValueOrDefault(j.UserId), WorkerLoras.Join(loras[j.Id]), now))
            .ToList();
        heads.ForEach(h => h.Blocked = atLimit.Contains(h.UserId));
        db.QueueHeads.AddRange(heads);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return heads.Count;
    }

    /// <summary>A job's LoRAs as the head carries them (<see cref="QueueHeadRow.Loras"/>); the claim's advance reads them the same way.</summary>
    public async Task<string?> LorasOfAsync(Guid jobId, CancellationToken ct) =>
        WorkerLoras.Join(await db.JobInputs.Where(i => i.JobId == jobId && i.Kind == JobInputKinds.Lora).Select(i => i.RefId).ToListAsync(ct));

    private QueueHeadRow NewHead(Job job, DateTime? ownerServedAt, string? loras, DateTime now)
    {
        var head = new QueueHeadRow
        {
            UserId = job.UserId,
            ModelId = job.ModelId,
            JobId = job.Id,
            Priority = job.Priority,
            CreatedAt = job.CreatedAt,
            ServedAt = ownerServedAt,
            AvailableAt = job.AvailableAt,
            Loras = loras,
        };
        head.Age(now, Aging);
        return head;
    }
}

/// <summary>What a submit read of the owner's queued jobs, under its lock: how many, and whether any is for the new job's model.</summary>
public readonly record struct QueuedAhead(int Count, bool ForModel);
