using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Core.Scheduling;
using Pingvas.Server.Data;
using Pingvas.Server.Jobs;

namespace Pingvas.Server.Queue;

/// <summary>Reads the queued jobs as the pure ordering rules in Pingvas.Core need them.</summary>
public sealed class QueueReader(PingvasDb db, DatabaseTenant tenant, TimeProvider time, IOptions<QueueOptions> options)
{
    public AgingPolicy Aging => new(options.Value.AgingSeconds);

    public DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Every queued job, with its owner's round, fairness key and running slots.</summary>
    public async Task<IReadOnlyList<QueueCandidate>> CandidatesAsync(CancellationToken ct)
    {
        // Every user's jobs decide the order, also when a request asks for its own positions:
        // read in system context (row-level security), on the caller's connection and transaction.
        using var system = tenant.AsSystem();
        var queued = await db.Jobs.AsNoTracking()
            .Where(j => j.Status == JobStatus.Queued)
            .Select(j => new { j.Id, j.UserId, j.Priority, j.CreatedAt })
            .ToListAsync(ct);
        if (queued.Count == 0)
        {
            return [];
        }

        var userIds = queued.Select(j => j.UserId).Distinct().ToList();
        var users = await db.Users.AsNoTracking()
            .Where(u => userIds.Contains(u.Id))
            .Join(db.Plans, u => u.PlanId, p => p.Id, (u, p) => new { u.Id, u.LastServedAt, p.ConcurrentJobs })
            .ToDictionaryAsync(u => u.Id, ct);
        var running = await db.Jobs.AsNoTracking()
            .Where(j => j.Status == JobStatus.Running && userIds.Contains(j.UserId))
            .GroupBy(j => j.UserId)
            .Select(g => new { UserId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.UserId, x => x.Count, ct);

        return queued
            .GroupBy(j => j.UserId)
            .SelectMany(g => g.OrderBy(j => j.CreatedAt).ThenBy(j => j.Id).Select((j, round) => new QueueCandidate(
                j.Id, j.UserId, j.Priority, j.CreatedAt, users[j.UserId].LastServedAt, round,
                running.GetValueOrDefault(j.UserId), users[j.UserId].ConcurrentJobs)))
            .ToList();
    }
}
