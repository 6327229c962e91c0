using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Core.Credits;
using Pingvas.Server.Accounts;
using Pingvas.Server.Catalog;
using Pingvas.Server.Credits;
using Pingvas.Server.Data;

namespace Pingvas.Server.Billing;

/// <summary>
/// Applies webhook events to a user's plan, subscription, credits and payment history, inside
/// the caller's transaction (the one that records the event) and under the user's lock. Credits
/// move only through <see cref="Ledger"/> / <see cref="PlanPeriods"/>, keyed by the event id.
/// Rules (PRODUCT.md, issue 10): an upgrade applies at once, pro-rated; a downgrade or a
/// cancellation waits for the end of the paid period; a renewal payment starts the next period;
/// a failed payment opens a grace period; expiry returns the user to Free. Enterprise is an
/// admin's contract: webhooks never change an Enterprise user's plan.
/// </summary>
public sealed class SubscriptionLifecycle(
    PingvasDb db, PlanPeriods periods, Ledger ledger, BillingMail mail, TimeProvider time, IOptions<BillingOptions> options, ILogger<SubscriptionLifecycle> logger,
    Telemetry.PingvasMetrics metrics)
{
    public const string Enterprise = "enterprise";

    /// <summary>A provider period end within this of ours is the same period (providers round differently).</summary>
    private static readonly TimeSpan SamePeriod = TimeSpan.FromDays(7);

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>The user an event is about: its own user id, else whoever owns its subscription or order.</summary>
    public async Task<Guid?> ResolveUserAsync(WebhookEvent e, CancellationToken ct)
    {
        var subscriptionId = e.Change switch
        {
            SubscriptionState s => s.SubscriptionId,
            SubscriptionPayment p => p.SubscriptionId,
            _ => null,
        };
        if (subscriptionId is not null
            && await db.Subscriptions.Where(s => s.Provider == e.Provider && s.ProviderSubscriptionId == subscriptionId).Select(s => (Guid?)s.UserId).FirstOrDefaultAsync(ct) is { } owner)
        {
            // The subscription's owner wins over what the event claims: a subscription never moves between users.
            return owner;
        }

        if (e.UserId is not null)
        {
            return e.UserId;
        }

        return e.Change is OrderRefunded r
            ? await db.Lots.Where(l => l.OrderRef == r.OrderRef).Select(l => (Guid?)l.UserId).FirstOrDefaultAsync(ct)
            : null;
    }

    /// <summary>Applies the change to <paramref name="user"/> (locked by the caller). Returns the outcome recorded with the event.</summary>
    public Task<string> ApplyAsync(WebhookEvent e, User user, CancellationToken ct) => e.Change switch
    {
        SubscriptionState s => ApplyStateAsync(e, s, user, ct),
        SubscriptionPayment p => ApplyPaymentAsync(e, p, user, ct),
        OrderPaid o => ApplyOrderAsync(e, o, user, ct),
        OrderRefunded r => ApplyRefundAsync(e, r, user, ct),
        _ => Task.FromResult("unknown"),
    };

    private BillingCatalog CatalogOf(string provider) => provider == Stripe.StripeWebhook.Provider
        ? new(options.Value.Stripe.Prices, options.Value.Stripe.TopUps)
        : new(options.Value.LemonSqueezy.Variants, options.Value.LemonSqueezy.TopUps);

    private BillingProduct? PlanOf(string provider, string? productId) =>
        productId is not null && CatalogOf(provider).ProductOf(productId) is { IsTopUp: false } product ? product : null;

    private Task<Subscription?> FindAsync(string provider, string subscriptionId, CancellationToken ct) =>
        db.Subscriptions.SingleOrDefaultAsync(s => s.Provider == provider && s.ProviderSubscriptionId == subscriptionId, ct);

    private async Task<string> ApplyStateAsync(WebhookEvent e, SubscriptionState s, User user, CancellationToken ct)
    {
        var row = await FindAsync(e.Provider, s.SubscriptionId, ct);
        if (row is not null && s.StateAt < row.StateAt)
        {
            logger.LogInformation("Billing: {Provider} {Event} for subscription {Subscription} is older than the state applied; ignored", e.Provider, e.EventName, s.SubscriptionId);
            return "stale";
        }

        if (user.PlanId == Enterprise)
        {
            logger.LogWarning("Billing: {Provider} {Event} for an Enterprise user ({User}) left the plan alone", e.Provider, e.EventName, user.Id);
            return "enterprise";
        }

        var product = PlanOf(e.Provider, s.ProductId);
        if (row is not null && !row.IsLive && !RunsOn(s))
        {
            // Ended here (grace, cancellation, silence): only a paid, running subscription brings it back.
            row.StateAt = s.StateAt;
            await db.SaveChangesAsync(ct);
            return "ignored";
        }

        if (row is null || !row.IsLive)
        {
            if (s.Status == SubscriptionStatus.Expired || (product ?? (row is null ? null : BillingProduct.Plan(row.PlanId, row.Interval))) is not { } start)
            {
                logger.LogWarning("Billing: {Provider} {Event} names no plan on sale ({Product}); ignored", e.Provider, e.EventName, s.ProductId);
                return "ignored";
            }

            await StartAsync(e, row, s.SubscriptionId, s.CustomerId, start, s.PeriodEnd, s.StateAt, user, ct);
            return "applied";
        }

        row.StateAt = s.StateAt;
        row.ProviderCustomerId = s.CustomerId ?? row.ProviderCustomerId;
        row.UpdatedAt = Now;
        if (s.Status == SubscriptionStatus.Expired)
        {
            await ExpireAsync(row, user, $"billing:{e.Provider}:{e.EventId}:free", "expired", ct);
            return "applied";
        }

        if (product is not null && (product.PlanId != row.PlanId || product.Interval != row.Interval))
        {
            await ChangePlanAsync(e, row, product, s.PeriodEnd, user, ct);
        }
        else if (product is not null && row.PendingPlanId is not null)
        {
            // Switched back to the plan in effect before the period ended: nothing waits any more.
            (row.PendingPlanId, row.PendingInterval) = (null, null);
            await mail.ChangedAsync(user, row, "downgrade_withdrawn", Now, ct);
        }

        if (s.CancelAtPeriodEnd && !row.CancelAtPeriodEnd)
        {
            row.CancelAtPeriodEnd = true;
            row.EndsAt = s.EndsAt ?? row.PaidThrough;
            await mail.CancelledAsync(user, row, ct);
        }
        else if (!s.CancelAtPeriodEnd && row.CancelAtPeriodEnd)
        {
            (row.CancelAtPeriodEnd, row.EndsAt) = (false, null);
            await mail.ChangedAsync(user, row, "resumed", Now, ct);
        }

        if (s.Status == SubscriptionStatus.PastDue && row.Status != SubscriptionStatus.PastDue)
        {
            row.Status = SubscriptionStatus.PastDue;
            row.GraceUntil ??= Now.AddDays(options.Value.GraceDays);
        }
        else if (s.Status != SubscriptionStatus.PastDue)
        {
            // Active (payment recovered, unpaused) or paused: a grace period no longer applies.
            (row.Status, row.GraceUntil) = (s.Status, null);
        }

        row.RenewsAt = s.CancelAtPeriodEnd ? null : s.PeriodEnd ?? row.RenewsAt;
        await db.SaveChangesAsync(ct);
        return "applied";
    }

    /// <summary>The provider says the subscription is paid and running on: active, not ending, its period ahead.</summary>
    private bool RunsOn(SubscriptionState s) =>
        s.Status == SubscriptionStatus.Active && !s.CancelAtPeriodEnd && (s.PeriodEnd is null || s.PeriodEnd > Now);

    private async Task<string> ApplyPaymentAsync(WebhookEvent e, SubscriptionPayment p, User user, CancellationToken ct)
    {
        var row = await FindAsync(e.Provider, p.SubscriptionId, ct);
        if (row is null && p.Paid && p.Reason == PaymentReason.Initial && PlanOf(e.Provider, p.ProductId) is { } product && user.PlanId != Enterprise)
        {
            // The first invoice arrived before the subscription itself: it starts it, with its own period.
            row = await StartAsync(e, null, p.SubscriptionId, p.CustomerId, product, p.PeriodEnd, DateTime.UnixEpoch, user, ct);
        }

        var plan = row is null ? null : await db.Plans.SingleAsync(x => x.Id == row.PlanId, ct);
        var kind = p.Reason == PaymentReason.Renewal ? "renewal" : "subscription";
        var what = plan is null ? "Subscription" : $"{plan.Name} plan ({row!.Interval})";
        await RecordPaymentAsync(user.Id, e.Provider, p.Reference, kind,
            p.Reason == PaymentReason.Renewal ? $"Renewal: {what}" : p.Reason == PaymentReason.Update ? $"Plan change: {what}" : what,
            p.Amount, p.Currency, p.Paid ? "paid" : "failed", p.At, ct);
        if (row is null || !row.IsLive)
        {
            logger.LogWarning("Billing: {Provider} {Event} for subscription {Subscription}, which is not live here; recorded only", e.Provider, e.EventName, p.SubscriptionId);
            return "recorded";
        }

        if (user.PlanId == Enterprise)
        {
            logger.LogWarning("Billing: {Provider} {Event} for an Enterprise user ({User}) left the plan alone", e.Provider, e.EventName, user.Id);
            return "enterprise";
        }

        row.UpdatedAt = Now;
        if (!p.Paid)
        {
            row.Status = SubscriptionStatus.PastDue;
            row.GraceUntil ??= Now.AddDays(options.Value.GraceDays);
            await db.SaveChangesAsync(ct);
            await mail.PaymentFailedAsync(user, row, p, ct);
            return "applied";
        }

        if (row.Status == SubscriptionStatus.PastDue)
        {
            (row.Status, row.GraceUntil) = (SubscriptionStatus.Active, null);
        }

        // Stripe's invoice names its period; Lemon Squeezy's does not: a renewal paid from shortly
        // before our paid time ends onwards pays the next period, an earlier one the current period
        // (which the reconciliation already started).
        var end = p.PeriodEnd ?? AddInterval(row.PaidThrough, row.PendingInterval ?? row.Interval);
        var next = p.PeriodEnd is { } periodEnd ? periodEnd > row.PaidThrough + SamePeriod : p.At >= row.PaidThrough - SamePeriod;
        if (p.Reason == PaymentReason.Renewal && next)
        {
            // A period we have not granted: the old plan lots end, a pending downgrade takes effect.
            var start = p.PeriodStart ?? row.PaidThrough;
            (row.PlanId, row.Interval) = (row.PendingPlanId ?? row.PlanId, row.PendingInterval ?? row.Interval);
            (row.PendingPlanId, row.PendingInterval) = (null, null);
            row.PaidThrough = end;
            row.RenewsAt = row.CancelAtPeriodEnd ? null : end;
            await db.SaveChangesAsync(ct);
            await periods.StartPaidPeriodAsync(user, row.PlanId, start, end, $"billing:{e.Provider}:{e.EventId}:renewal", ct);
            await mail.RenewedAsync(user, row, p, ct);
        }

        await db.SaveChangesAsync(ct);
        return "applied";
    }

    private async Task<string> ApplyOrderAsync(WebhookEvent e, OrderPaid o, User user, CancellationToken ct)
    {
        if (o.ProductId is null || CatalogOf(e.Provider).ProductOf(o.ProductId) is not { IsTopUp: true } product)
        {
            // A subscription's first order: its payment is recorded from the subscription payment event.
            return "ignored";
        }

        var credits = product.TopUpCredits!.Value;
        await ledger.GrantAsync(user.Id, LotSource.Purchase, credits, null, $"Top-up of {credits:N0} credits", $"billing:{e.Provider}:{e.EventId}:topup", ct, o.OrderRef);
        await RecordPaymentAsync(user.Id, e.Provider, o.OrderRef, "topup", $"Top-up: {credits:N0} credits", o.Amount, o.Currency, "paid", o.At, ct);
        return "applied";
    }

    private async Task<string> ApplyRefundAsync(WebhookEvent e, OrderRefunded r, User user, CancellationToken ct)
    {
        var removed = await ledger.RevokeOrderAsync(user.Id, r.OrderRef, "Top-up refunded: its unspent credits are removed", $"billing:{e.Provider}:{e.EventId}:refund", ct);
        if (await db.BillingPayments.SingleOrDefaultAsync(x => x.Provider == e.Provider && x.Reference == r.OrderRef, ct) is { } original)
        {
            original.Status = "refunded";
        }

        await RecordPaymentAsync(user.Id, e.Provider, r.Reference, "refund",
            removed > 0 ? $"Refund ({removed:N0} unspent credits removed)" : "Refund", r.Amount, r.Currency, "refunded", r.At, ct);
        return "applied";
    }

    /// <summary>A new (or re-activated) subscription: the plan starts now with the provider's period.</summary>
    private async Task<Subscription> StartAsync(
        WebhookEvent e, Subscription? row, string subscriptionId, string? customerId, BillingProduct product, DateTime? periodEnd, DateTime stateAt, User user, CancellationToken ct)
    {
        var now = Now;
        foreach (var other in await db.Subscriptions.Where(x => x.UserId == user.Id && x.Status != SubscriptionStatus.Expired && x.Id != (row == null ? Guid.Empty : row.Id)).ToListAsync(ct))
        {
            // One subscription drives the plan; an older one the provider still has is superseded here.
            logger.LogWarning("Billing: user {User} has a new subscription; {Old} no longer drives the plan", user.Id, other.ProviderSubscriptionId);
            other.Status = SubscriptionStatus.Expired;
        }

        var paidThrough = periodEnd is { } end && end > now ? end : AddInterval(now, product.Interval!);
        if (row is null)
        {
            row = new Subscription
            {
                Id = Ids.New(),
                UserId = user.Id,
                Provider = e.Provider,
                ProviderSubscriptionId = subscriptionId,
                PlanId = product.PlanId!,
                Interval = product.Interval!,
                Status = SubscriptionStatus.Active,
                CreatedAt = now,
            };
            db.Subscriptions.Add(row);
        }

        row.ProviderCustomerId = customerId ?? row.ProviderCustomerId;
        (row.PlanId, row.Interval, row.Status) = (product.PlanId!, product.Interval!, SubscriptionStatus.Active);
        (row.PendingPlanId, row.PendingInterval, row.GraceUntil, row.CancelAtPeriodEnd, row.EndsAt) = (null, null, null, false, null);
        (row.PaidThrough, row.RenewsAt, row.StateAt, row.UpdatedAt) = (paidThrough, paidThrough, stateAt, now);
        await db.SaveChangesAsync(ct);
        await periods.StartPaidPeriodAsync(user, row.PlanId, now, paidThrough, $"billing:{e.Provider}:{e.EventId}:start", ct);
        await mail.StartedAsync(user, row, ct);
        return row;
    }

    private async Task ChangePlanAsync(WebhookEvent e, Subscription row, BillingProduct product, DateTime? periodEnd, User user, CancellationToken ct)
    {
        var plans = await db.Plans.Where(x => x.Id == row.PlanId || x.Id == product.PlanId).ToDictionaryAsync(x => x.Id, ct);
        if (!plans.TryGetValue(product.PlanId!, out var next))
        {
            logger.LogWarning("Billing: plan {Plan} of {Provider} product is not in the catalog; change ignored", product.PlanId, e.Provider);
            return;
        }

        var current = plans.GetValueOrDefault(row.PlanId);
        if ((next.MonthlyCredits ?? int.MaxValue) > (current?.MonthlyCredits ?? 0))
        {
            // Upgrade: at once; the provider charged the difference and may have moved the period (a new interval).
            (row.PlanId, row.Interval, row.PendingPlanId, row.PendingInterval) = (product.PlanId!, product.Interval!, null, null);
            if (periodEnd is { } end && end > row.PaidThrough + SamePeriod)
            {
                row.PaidThrough = end;
            }

            await db.SaveChangesAsync(ct);
            if (user.PlanId == current?.Id || user.PlanId == PlanPeriods.FreePlanId)
            {
                await periods.UpgradeAsync(user, next.Id, $"billing:{e.Provider}:{e.EventId}:upgrade", ct);
            }

            await mail.ChangedAsync(user, row, "upgraded", Now, ct);
            return;
        }

        // Downgrade (or the same credits on another interval): from the end of the paid period.
        if (row.PendingPlanId == product.PlanId && row.PendingInterval == product.Interval)
        {
            // Every later update of the subscription repeats the new product: already waiting.
            return;
        }

        (row.PendingPlanId, row.PendingInterval) = (product.PlanId, product.Interval);
        await mail.ChangedAsync(user, row, "downgrade_scheduled", row.PaidThrough, ct);
    }

    /// <summary>The subscription ended: Free from now (unless an admin has since put the user on another plan).</summary>
    public async Task ExpireAsync(Subscription row, User user, string idempotencyKey, string change, CancellationToken ct)
    {
        if (!row.IsLive)
        {
            return;
        }

        var wasPlan = row.PlanId;
        (row.Status, row.GraceUntil, row.RenewsAt, row.EndsAt, row.UpdatedAt) = (SubscriptionStatus.Expired, null, null, row.EndsAt ?? Now, Now);
        await db.SaveChangesAsync(ct);
        if (user.PlanId == wasPlan)
        {
            await periods.ReturnToFreeAsync(user, idempotencyKey, ct);
        }

        await mail.ChangedAsync(user, row, change, Now, ct);
    }

    /// <summary>
    /// The paid period ended with a downgrade waiting and no renewal event yet: the lower plan
    /// starts its period now as the provider's renewal would (which then confirms it, same period).
    /// </summary>
    public async Task ApplyPendingAsync(Subscription row, User user, CancellationToken ct)
    {
        var start = row.PaidThrough;
        var end = AddInterval(start, row.PendingInterval!);
        (row.PlanId, row.Interval, row.PendingPlanId, row.PendingInterval) = (row.PendingPlanId!, row.PendingInterval!, null, null);
        (row.PaidThrough, row.RenewsAt, row.UpdatedAt) = (end, end, Now);
        await db.SaveChangesAsync(ct);
        await periods.StartPaidPeriodAsync(user, row.PlanId, start, end, $"billing:reconcile:{row.Id}:{start:yyyyMMddHHmmss}", ct);
        await mail.ChangedAsync(user, row, "downgraded", start, ct);
    }

    private async Task RecordPaymentAsync(Guid userId, string provider, string reference, string kind, string description, int amount, string currency, string status, DateTime at, CancellationToken ct)
    {
        if (await db.BillingPayments.AnyAsync(x => x.Provider == provider && x.Reference == reference, ct))
        {
            return;
        }

        db.BillingPayments.Add(new BillingPayment
        {
            Id = Ids.New(),
            UserId = userId,
            Provider = provider,
            Reference = reference,
            Kind = kind,
            Description = description,
            Amount = amount,
            Currency = currency,
            Status = status,
            At = at,
        });
        await db.SaveChangesAsync(ct);
        metrics.Payment(provider, kind, status, amount, currency);
    }

    public static DateTime AddInterval(DateTime from, string interval) => interval == "annual" ? from.AddYears(1) : from.AddMonths(1);
}
