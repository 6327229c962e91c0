using System.Globalization;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Accounts;
using Pingvas.Server.Credits;
using Pingvas.Server.Data;
using Pingvas.Server.Email;
using Pingvas.Server.Outbox;

namespace Pingvas.Server.Billing;

/// <summary>
/// The subscription emails, queued in the outbox in the transaction of the change they report.
/// Data values are plain strings: plan names, ISO-8601 UTC times, amounts in minor units with
/// their currency. Every kind has <c>plan</c> (name), <c>planId</c> and <c>interval</c>, and
/// <c>date</c> (yyyy-MM-dd), the one date its template names; the rest per kind is listed on each
/// method and in docs/billing.md.
/// </summary>
public sealed class BillingMail(PingvasDb db, OutboxWriter outbox)
{
    /// <summary>Adds: renewsAt, monthlyCredits.</summary>
    public async Task StartedAsync(User user, Subscription row, CancellationToken ct)
    {
        var data = await BaseAsync(row.PlanId, row.Interval, ct);
        data["renewsAt"] = Iso(row.PaidThrough);
        data["date"] = Day(row.PaidThrough);
        data["monthlyCredits"] = await CreditsAsync(row.PlanId, ct);
        Send(EmailKinds.SubscriptionStarted, user, data);
    }

    /// <summary>
    /// plan = the plan after the change. Adds: change (upgraded, downgrade_scheduled,
    /// downgrade_withdrawn, downgraded, resumed, expired, grace_ended, cancelled_ended), effectiveAt.
    /// </summary>
    public async Task ChangedAsync(User user, Subscription row, string change, DateTime effectiveAt, CancellationToken ct)
    {
        var (planId, interval) = change switch
        {
            "downgrade_scheduled" => (row.PendingPlanId!, row.PendingInterval!),
            "expired" or "grace_ended" or "cancelled_ended" => (PlanPeriods.FreePlanId, "monthly"),
            _ => (row.PlanId, row.Interval),
        };
        var data = await BaseAsync(planId, interval, ct);
        data["change"] = change;
        data["effectiveAt"] = Iso(effectiveAt);
        data["date"] = Day(effectiveAt);
        Send(EmailKinds.SubscriptionChanged, user, data);
    }

    /// <summary>Adds: endsAt (the plan stays until then).</summary>
    public async Task CancelledAsync(User user, Subscription row, CancellationToken ct)
    {
        var data = await BaseAsync(row.PlanId, row.Interval, ct);
        data["endsAt"] = Iso(row.EndsAt ?? row.PaidThrough);
        data["date"] = Day(row.EndsAt ?? row.PaidThrough);
        Send(EmailKinds.SubscriptionCancelled, user, data);
    }

    /// <summary>Adds: periodEnd, monthlyCredits, amount, currency.</summary>
    public async Task RenewedAsync(User user, Subscription row, SubscriptionPayment payment, CancellationToken ct)
    {
        var data = await BaseAsync(row.PlanId, row.Interval, ct);
        data["periodEnd"] = Iso(row.PaidThrough);
        data["date"] = Day(row.PaidThrough);
        data["monthlyCredits"] = await CreditsAsync(row.PlanId, ct);
        data["amount"] = payment.Amount.ToString(CultureInfo.InvariantCulture);
        data["currency"] = payment.Currency;
        Send(EmailKinds.SubscriptionRenewed, user, data);
    }

    /// <summary>Adds: graceUntil (then the account returns to Free), amount, currency.</summary>
    public async Task PaymentFailedAsync(User user, Subscription row, SubscriptionPayment payment, CancellationToken ct)
    {
        var data = await BaseAsync(row.PlanId, row.Interval, ct);
        data["graceUntil"] = Iso(row.GraceUntil ?? row.PaidThrough);
        data["date"] = Day(row.GraceUntil ?? row.PaidThrough);
        data["amount"] = payment.Amount.ToString(CultureInfo.InvariantCulture);
        data["currency"] = payment.Currency;
        Send(EmailKinds.PaymentFailed, user, data);
    }

    public static string Iso(DateTime utc) => utc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string Day(DateTime utc) => utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private async Task<Dictionary<string, string>> BaseAsync(string planId, string interval, CancellationToken ct)
    {
        var name = await db.Plans.Where(p => p.Id == planId).Select(p => p.Name).SingleOrDefaultAsync(ct) ?? planId;
        return new() { ["plan"] = name, ["planId"] = planId, ["interval"] = interval };
    }

    private async Task<string> CreditsAsync(string planId, CancellationToken ct) =>
        (await db.Plans.Where(p => p.Id == planId).Select(p => p.MonthlyCredits).SingleOrDefaultAsync(ct))?.ToString(CultureInfo.InvariantCulture) ?? "unlimited";

    private void Send(string kind, User user, Dictionary<string, string> data) => outbox.Enqueue(new EmailRequest(kind, user.Id, data));
}
