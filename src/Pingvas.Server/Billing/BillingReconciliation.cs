using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Data;
using Pingvas.Server.Hosting;
using Pingvas.Server.Outbox;

namespace Pingvas.Server.Billing;

/// <summary>
/// The daily safety net behind the webhooks, with no provider call: applies what is due at the
/// end of a paid period when no event did it — a cancellation (→ Free), a waiting downgrade (the
/// lower plan's period starts), a grace period that ran out (→ Free), a paused subscription whose
/// period ended (→ Free) — and ends a subscription the provider has been silent about for longer
/// than the grace period after its period ended. Each subscription in its own transaction under
/// its user's lock; idempotent.
/// </summary>
public sealed class BillingReconciliation(IServiceScopeFactory scopes, IOptions<BillingOptions> options, TimeProvider time, ILogger<BillingReconciliation> logger)
    : PeriodicChore(scopes, time, logger)
{
    private const int Batch = 200;

    protected override TimeSpan Interval => TimeSpan.FromHours(options.Value.ReconcileHours);

    protected override async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<PingvasDb>();
        var lifecycle = services.GetRequiredService<SubscriptionLifecycle>();
        var handled = 0;
        var seen = new HashSet<Guid>();
        while (true)
        {
            var now = Time.GetUtcNow().UtcDateTime;
            var silent = now.AddDays(-options.Value.GraceDays);
            var due = await db.Subscriptions
                .Where(s => s.Status != SubscriptionStatus.Expired && !seen.Contains(s.Id)
                    && (s.PaidThrough <= now && (s.CancelAtPeriodEnd || s.PendingPlanId != null || s.Status == SubscriptionStatus.Paused)
                        || s.GraceUntil <= now
                        || s.PaidThrough <= silent))
                .Select(s => new { s.Id, s.UserId })
                .Take(Batch)
                .ToListAsync(ct);
            foreach (var item in due)
            {
                seen.Add(item.Id);
                if (await ReconcileAsync(db, lifecycle, item.Id, item.UserId, ct))
                {
                    handled++;
                }

                db.ChangeTracker.Clear();
            }

            if (due.Count < Batch)
            {
                if (handled > 0)
                {
                    // The emails of the changes committed above.
                    services.GetRequiredService<OutboxSignal>().Wake();
                }

                return handled;
            }
        }
    }

    private async Task<bool> ReconcileAsync(PingvasDb db, SubscriptionLifecycle lifecycle, Guid subscriptionId, Guid userId, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);
        var row = await db.Subscriptions.SingleOrDefaultAsync(s => s.Id == subscriptionId, ct);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct);
        var now = Time.GetUtcNow().UtcDateTime;
        if (row is null || user is null || !row.IsLive)
        {
            return false;
        }

        var key = $"billing:reconcile:{row.Id}:{row.PaidThrough:yyyyMMddHHmmss}";
        if (row.GraceUntil <= now)
        {
            await lifecycle.ExpireAsync(row, user, key, "grace_ended", ct);
        }
        else if (row.PaidThrough <= now && row.CancelAtPeriodEnd)
        {
            await lifecycle.ExpireAsync(row, user, key, "cancelled_ended", ct);
        }
        else if (row.PaidThrough <= now && row.Status == SubscriptionStatus.Paused)
        {
            await lifecycle.ExpireAsync(row, user, key, "expired", ct);
        }
        else if (row.PaidThrough <= now && row.PendingPlanId is not null && row.Status == SubscriptionStatus.Active)
        {
            await lifecycle.ApplyPendingAsync(row, user, ct);
        }
        else if (row.PaidThrough <= now.AddDays(-options.Value.GraceDays))
        {
            await lifecycle.ExpireAsync(row, user, key, "expired", ct);
        }
        else
        {
            return false;
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Billing reconciliation: subscription {Subscription} of user {User} is now {Status} on {Plan}", row.ProviderSubscriptionId, user.Id, row.Status, user.PlanId);
        return true;
    }
}
