using System.Collections.Frozen;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;

namespace Pingvas.Server.Telemetry;

/// <summary>
/// The plan label of a job, from the queue priority its row carries (Jobs/Job.Priority is the
/// plan's priority at submission): the hot paths name the plan without a query. The map starts as
/// the seeded catalogue and follows the plans table on every scrape (<see cref="RefreshAsync"/>);
/// a priority no plan has is labelled "other", so the label stays bounded.
/// </summary>
public sealed class MetricsPlans(IServiceScopeFactory scopes, TimeProvider time) : IMetricsRefresh
{
    /// <summary>Plans change rarely (an admin's edit): a scrape re-reads them at most this often.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    private DateTimeOffset readAt = DateTimeOffset.MinValue;

    public sealed record PlanLabel(string Name, bool Unlimited);

    private static readonly PlanLabel Other = new("other", false);

    private volatile FrozenDictionary<int, PlanLabel> byPriority = new Dictionary<int, PlanLabel>
    {
        [2] = new("free", false),
        [4] = new("starter", false),
        [6] = new("pro", false),
        [8] = new("studio", false),
        [10] = new("enterprise", true),
    }.ToFrozenDictionary();

    public IReadOnlyCollection<string> Names => byPriority.Values.Select(p => p.Name).ToList();

    public PlanLabel Of(int priority) => byPriority.GetValueOrDefault(priority) ?? Other;

    public string NameOf(int priority) => Of(priority).Name;

    public async Task RefreshAsync(CancellationToken ct)
    {
        if (time.GetUtcNow() - readAt < MaxAge)
        {
            return;
        }

        await using var scope = scopes.CreateSystemScope();
        await LoadAsync(scope.ServiceProvider.GetRequiredService<PingvasDb>(), ct);
        readAt = time.GetUtcNow();
    }

    /// <summary>Reads the plans (one small query); when two plans share a priority the lower-ranked one names it.</summary>
    public async Task LoadAsync(PingvasDb db, CancellationToken ct)
    {
        var plans = await db.Plans.AsNoTracking().OrderByDescending(p => p.Rank)
            .Select(p => new { p.Id, p.QueuePriority, p.MonthlyCredits }).ToListAsync(ct);
        var map = new Dictionary<int, PlanLabel>();
        foreach (var plan in plans)
        {
            map[plan.QueuePriority] = new PlanLabel(plan.Id, plan.MonthlyCredits is null);
        }

        byPriority = map.ToFrozenDictionary();
    }
}
