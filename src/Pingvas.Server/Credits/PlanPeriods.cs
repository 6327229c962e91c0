using Microsoft.EntityFrameworkCore;

using Pingvas.Core.Credits;
using Pingvas.Server.Accounts;
using Pingvas.Server.Data;

namespace Pingvas.Server.Credits;

/// <summary>
/// Monthly plan credits: each billing period grants the plan's credits, expiring at the period's
/// end (unused plan credits do not roll over). Checked lazily whenever a user's credits are read
/// or spent, and swept in the background for everyone else.
/// </summary>
public sealed class PlanPeriods(PingvasDb db, Ledger ledger, TimeProvider time)
{
    /// <summary>Starts the first period of a new account and grants its credits.</summary>
    public async Task StartAsync(User user, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        user.PeriodStart = now;
        user.PeriodEnd = now.AddMonths(1);
        await db.SaveChangesAsync(ct);
        await GrantPeriodAsync(user, ct);
    }

    /// <summary>Moves the user into the period that contains now, granting that period's credits once.</summary>
    public async Task EnsureCurrentAsync(User user, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (now < user.PeriodEnd)
        {
            return;
        }

        // Skip whole periods the user was away for: only the current one's credits are usable.
        while (user.PeriodEnd <= now)
        {
            user.PeriodStart = user.PeriodEnd;
            user.PeriodEnd = user.PeriodEnd.AddMonths(1);
        }

        await db.SaveChangesAsync(ct);
        await ledger.ExpireDueAsync(user.Id, null, ct);
        await GrantPeriodAsync(user, ct);
    }

    private async Task GrantPeriodAsync(User user, CancellationToken ct)
    {
        var plan = await db.Plans.SingleAsync(p => p.Id == user.PlanId, ct);
        if (plan.MonthlyCredits is not { } credits || credits <= 0)
        {
            return;
        }

        await ledger.GrantAsync(user.Id, LotSource.Plan, credits, user.PeriodEnd,
            $"{plan.Name} plan credits for {user.PeriodStart:yyyy-MM-dd} – {user.PeriodEnd:yyyy-MM-dd}",
            $"plan:{user.Id}:{user.PeriodStart:yyyyMMddHHmmss}", ct);
    }
}
