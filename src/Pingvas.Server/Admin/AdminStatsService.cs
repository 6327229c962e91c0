using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Jobs;

namespace Pingvas.Server.Admin;

/// <summary>The admin dashboard's numbers, over every user (system context).</summary>
public sealed class AdminStatsService(PingvasDb db, TimeProvider time)
{
    public const int Days = 30;

    public async Task<AdminStats> GetAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var since = now.Date.AddDays(-(Days - 1));

        var byPlan = await db.Users.AsNoTracking().Where(u => u.DeletedAt == null).GroupBy(u => u.PlanId)
            .Select(g => new PlanCount(g.Key, g.Count())).ToListAsync(ct);

        var jobs = (await JobDaysAsync(since, ct)).ToDictionary(d => d.Day);
        var credits = (await CreditDaysAsync(since, ct)).ToDictionary(d => d.Day, d => d.Credits);
        var days = Enumerable.Range(0, Days).Select(i => since.AddDays(i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)).Select(day =>
        {
            var j = jobs.GetValueOrDefault(day);
            return new DayCount(day, j?.Jobs ?? 0, j?.Succeeded ?? 0, j?.Failed ?? 0, credits.GetValueOrDefault(day));
        }).ToList();

        var queued = await (from j in db.Jobs.AsNoTracking()
                            join u in db.Users.AsNoTracking() on j.UserId equals u.Id
                            where j.Status == JobStatus.Queued
                            group j by u.PlanId into g
                            select new { Plan = g.Key, Count = g.Count(), Oldest = g.Min(j => j.CreatedAt) }).ToListAsync(ct);
        var running = await (from j in db.Jobs.AsNoTracking()
                             join u in db.Users.AsNoTracking() on j.UserId equals u.Id
                             where j.Status == JobStatus.Running
                             group j by u.PlanId into g
                             select new { Plan = g.Key, Count = g.Count() }).ToListAsync(ct);
        var plans = await db.Plans.AsNoTracking().OrderByDescending(p => p.QueuePriority).Select(p => p.Id).ToListAsync(ct);
        var queue = plans.Select(plan =>
        {
            var q = queued.SingleOrDefault(x => x.Plan == plan);
            var wait = q is null ? 0 : Math.Max(0, Math.Round((now - q.Oldest).TotalSeconds, 1));
            return new PlanQueue(plan, q?.Count ?? 0, running.SingleOrDefault(x => x.Plan == plan)?.Count ?? 0, wait);
        }).ToList();

        return new AdminStats(byPlan.OrderBy(p => plans.IndexOf(p.Plan)).ToList(), byPlan.Sum(p => p.Users), days, queue, now);
    }

    /// <summary>Jobs submitted per UTC day; the day is cut in SQL, so each provider has its own statement.</summary>
    private Task<List<JobDay>> JobDaysAsync(DateTime since, CancellationToken ct) => db.Database.IsNpgsql()
        ? db.Database.SqlQuery<JobDay>($"""
            SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS "Day", count(*)::int AS "Jobs",
                   (count(*) FILTER (WHERE status = 'succeeded'))::int AS "Succeeded", (count(*) FILTER (WHERE status = 'failed'))::int AS "Failed"
            FROM jobs WHERE created_at >= {since} GROUP BY 1
            """).ToListAsync(ct)
        : db.Database.SqlQuery<JobDay>($"""
            SELECT substr(created_at, 1, 10) AS "Day", count(*) AS "Jobs",
                   sum(status = 'succeeded') AS "Succeeded", sum(status = 'failed') AS "Failed"
            FROM jobs WHERE created_at >= {since} GROUP BY 1
            """).ToListAsync(ct);

    /// <summary>Credits charged per UTC day (charges are negative entries; usage on unlimited plans is recorded as 0).</summary>
    private Task<List<CreditDay>> CreditDaysAsync(DateTime since, CancellationToken ct) => db.Database.IsNpgsql()
        ? db.Database.SqlQuery<CreditDay>($"""
            SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS "Day", (-sum(amount))::int AS "Credits"
            FROM ledger_entries WHERE kind = 'charge' AND created_at >= {since} GROUP BY 1
            """).ToListAsync(ct)
        : db.Database.SqlQuery<CreditDay>($"""
            SELECT substr(created_at, 1, 10) AS "Day", -sum(amount) AS "Credits"
            FROM ledger_entries WHERE kind = 'charge' AND created_at >= {since} GROUP BY 1
            """).ToListAsync(ct);

    private sealed class JobDay
    {
        public string Day { get; set; } = "";

        public int Jobs { get; set; }

        public int Succeeded { get; set; }

        public int Failed { get; set; }
    }

    private sealed class CreditDay
    {
        public string Day { get; set; } = "";

        public int Credits { get; set; }
    }
}
