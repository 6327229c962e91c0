using Microsoft.EntityFrameworkCore;

using Pingvas.Core.Credits;
using Pingvas.Server.Accounts;
using Pingvas.Server.Data;

namespace Pingvas.Server.Credits;

/// <summary>
/// Monthly plan credits: each billing period grants the plan's credits, expiring at the period's
/// end (unused plan credits do not roll over). Checked whenever a user's credits are read or
/// spent, and for everyone else by <see cref="PlanPeriodSweep"/>, so balances and statistics are
/// true for users who never come back.
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

    /// <summary>
    /// A plan change (by an admin): a new period starts now on <paramref name="planId"/>. What is
    /// left of the old plan's credits is written off and the new plan's credits granted (none on an
    /// unlimited plan); other lots stay. The grant's key names the instant and the plan, so several
    /// changes in one second each grant once.
    /// </summary>
    public async Task ChangePlanAsync(User user, string planId, CancellationToken ct)
    {
        await ledger.EndPlanLotsAsync(user.Id, ct);
        var now = time.GetUtcNow().UtcDateTime;
        user.PlanId = planId;
        user.PeriodStart = now;
        user.PeriodEnd = now.AddMonths(1);
        await db.SaveChangesAsync(ct);
        await GrantPeriodAsync(user, $"plan:{user.Id}:{now.Ticks}:{planId}", ct);
    }

    /// <summary>
    /// Moves the user into the period that contains now, granting that period's credits once. A
    /// user on a provider subscription moves in monthly periods only up to the end of what the
    /// provider was paid for (an annual plan grants monthly): the next paid period starts with the
    /// provider's renewal event, or the user leaves the plan (Billing/SubscriptionLifecycle.cs).
    /// </summary>
    public async Task EnsureCurrentAsync(User user, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (now < user.PeriodEnd)
        {
            return;
        }

        var paidThrough = await PaidThroughAsync(user, ct);
        if (paidThrough is { } end && user.PeriodEnd >= end)
        {
            return;
        }

        // Skip whole periods the user was away for: only the current one's credits are usable.
        while (user.PeriodEnd <= now && (paidThrough is null || user.PeriodEnd < paidThrough))
        {
            user.PeriodStart = user.PeriodEnd;
            user.PeriodEnd = Min(user.PeriodEnd.AddMonths(1), paidThrough);
        }

        await db.SaveChangesAsync(ct);
        await ledger.ExpireDueAsync(user.Id, null, ct);
        await GrantPeriodAsync(user, ct);
    }

    /// <summary>
    /// In its own transaction under the user's lock: moves the user into the current period and
    /// writes off expired lots. Idempotent. False when nothing was due (or the user is gone).
    /// </summary>
    public async Task<bool> CatchUpAsync(Guid userId, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct);
        var now = time.GetUtcNow().UtcDateTime;
        if (user is null || (user.PeriodEnd > now && !await db.Lots.AnyAsync(l => l.UserId == userId && l.Remaining > 0 && l.ExpiresAt <= now, ct)))
        {
            return false;
        }

        await EnsureCurrentAsync(user, ct);
        await ledger.ExpireDueAsync(userId, null, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// A paid provider period starts (subscribe, renewal, a downgrade at period end): the old plan
    /// lots are written off, the plan set, and the monthly slice of [start, paidThrough) that
    /// contains now becomes the user's period, granted under <paramref name="idempotencyKey"/>.
    /// </summary>
    public async Task StartPaidPeriodAsync(User user, string planId, DateTime start, DateTime paidThrough, string idempotencyKey, CancellationToken ct)
    {
        await ledger.EndPlanLotsAsync(user.Id, ct);
        var now = time.GetUtcNow().UtcDateTime;
        user.PlanId = planId;
        user.PeriodStart = start;
        user.PeriodEnd = Min(start.AddMonths(1), paidThrough);
        while (user.PeriodEnd <= now && user.PeriodEnd < paidThrough)
        {
            user.PeriodStart = user.PeriodEnd;
            user.PeriodEnd = Min(user.PeriodEnd.AddMonths(1), paidThrough);
        }

        await db.SaveChangesAsync(ct);
        await GrantPeriodAsync(user, idempotencyKey, ct);
    }

    /// <summary>
    /// An upgrade, at once: the new plan's credits pro-rated by the whole days left in the current
    /// period replace what is left of the old plan's; the period stays.
    /// </summary>
    public async Task UpgradeAsync(User user, string planId, string idempotencyKey, CancellationToken ct)
    {
        await ledger.EndPlanLotsAsync(user.Id, ct);
        user.PlanId = planId;
        await db.SaveChangesAsync(ct);
        var plan = await db.Plans.SingleAsync(p => p.Id == planId, ct);
        var now = time.GetUtcNow().UtcDateTime;
        var total = Math.Max(1, (int)Math.Round((user.PeriodEnd - user.PeriodStart).TotalDays));
        var left = Math.Clamp((int)Math.Ceiling((user.PeriodEnd - now).TotalDays), 0, total);
        if (plan.MonthlyCredits is not { } credits || credits <= 0 || left == 0)
        {
            return;
        }

        var prorated = (int)((long)credits * left / total);
        if (prorated > 0)
        {
            await ledger.GrantAsync(user.Id, LotSource.Plan, prorated, user.PeriodEnd,
                $"{plan.Name} plan credits for the {left} of {total} days left until {user.PeriodEnd:yyyy-MM-dd} (upgrade)", idempotencyKey, ct);
        }
    }

    /// <summary>The subscription ended: Free from now, a fresh monthly period with Free's credits.</summary>
    public async Task ReturnToFreeAsync(User user, string idempotencyKey, CancellationToken ct)
    {
        await ledger.EndPlanLotsAsync(user.Id, ct);
        var now = time.GetUtcNow().UtcDateTime;
        user.PlanId = FreePlanId;
        user.PeriodStart = now;
        user.PeriodEnd = now.AddMonths(1);
        await db.SaveChangesAsync(ct);
        await GrantPeriodAsync(user, idempotencyKey, ct);
    }

    /// <summary>
    /// The end of the provider-paid time when a live subscription drives this user's current plan;
    /// null when the plan is Free or assigned by an admin (then periods simply roll monthly).
    /// </summary>
    private Task<DateTime?> PaidThroughAsync(User user, CancellationToken ct) =>
        db.Subscriptions
            .Where(s => s.UserId == user.Id && s.Status != Billing.SubscriptionStatus.Expired && s.PlanId == user.PlanId)
            .Select(s => (DateTime?)s.PaidThrough)
            .FirstOrDefaultAsync(ct);

    private static DateTime Min(DateTime a, DateTime? b) => b is { } c && c < a ? c : a;

    /// <summary>
    /// Grants the current period's plan credits if they were not granted yet (the key is the
    /// period's): an address just verified receives what sign-up held back.
    /// </summary>
    public Task GrantCurrentPeriodAsync(User user, CancellationToken ct) => GrantPeriodAsync(user, ct);

    /// <summary>The Free plan's credits wait until the address is verified, so throwaway accounts farm nothing.</summary>
    public static bool HoldsBackGrant(User user) => user.EmailVerifiedAt is null && user.PlanId == FreePlanId;

    public const string FreePlanId = "free";

    private Task GrantPeriodAsync(User user, CancellationToken ct) =>
        GrantPeriodAsync(user, $"plan:{user.Id}:{user.PeriodStart:yyyyMMddHHmmss}", ct);

    private async Task GrantPeriodAsync(User user, string idempotencyKey, CancellationToken ct)
    {
        if (HoldsBackGrant(user))
        {
            return;
        }

        var plan = await db.Plans.SingleAsync(p => p.Id == user.PlanId, ct);
        if (plan.MonthlyCredits is not { } credits || credits <= 0)
        {
            return;
        }

        await ledger.GrantAsync(user.Id, LotSource.Plan, credits, user.PeriodEnd,
            $"{plan.Name} plan credits for {user.PeriodStart:yyyy-MM-dd} – {user.PeriodEnd:yyyy-MM-dd}",
            idempotencyKey, ct);
    }
}
