using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Credits;

/// <summary>Settings of the credit housekeeping (section <c>Credits</c>).</summary>
public sealed class PlanPeriodOptions
{
    /// <summary>How often periods are renewed and expired lots written off for users who are away (0: off).</summary>
    public int PeriodSweepMinutes { get; set; } = 15;
}

/// <summary>
/// Renews the billing period of every user whose period ended and writes off lots that expired,
/// also for users who never sign in again: their balances, and every statistic summed from the
/// ledger, stay true. Each user is caught up in a transaction of their own (<see cref="PlanPeriods.CatchUpAsync"/>).
/// </summary>
public sealed class PlanPeriodSweep(IServiceScopeFactory scopes, IOptions<PlanPeriodOptions> options, TimeProvider time, ILogger<PlanPeriodSweep> logger)
    : PeriodicChore(scopes, time, logger)
{
    private const int Batch = 200;

    protected override TimeSpan Interval => TimeSpan.FromMinutes(options.Value.PeriodSweepMinutes);

    protected override async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<PingvasDb>();
        var periods = services.GetRequiredService<PlanPeriods>();
        var caughtUp = 0;
        var seen = new HashSet<Guid>();
        while (true)
        {
            var now = Time.GetUtcNow().UtcDateTime;
            // A subscriber whose paid time is used up waits for the provider (PlanPeriods.EnsureCurrentAsync).
            var due = await db.Users
                .Where(u => u.PeriodEnd <= now && !db.Subscriptions.Any(s =>
                    s.UserId == u.Id && s.Status != Billing.SubscriptionStatus.Expired && s.PlanId == u.PlanId && s.PaidThrough <= u.PeriodEnd))
                .Select(u => u.Id)
                .Union(db.Lots.Where(l => l.Remaining > 0 && l.ExpiresAt <= now).Select(l => l.UserId))
                .Where(id => !seen.Contains(id))
                .Take(Batch)
                .ToListAsync(ct);
            foreach (var userId in due)
            {
                seen.Add(userId);
                if (await periods.CatchUpAsync(userId, ct))
                {
                    caughtUp++;
                }

                db.ChangeTracker.Clear();
            }

            if (due.Count < Batch)
            {
                return caughtUp;
            }
        }
    }
}
