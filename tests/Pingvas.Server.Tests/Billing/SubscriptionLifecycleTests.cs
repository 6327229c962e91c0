using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Core.Credits;
using Pingvas.Server.Billing;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Billing;

/// <summary>
/// A subscription's whole life through Lemon Squeezy webhooks, with the server's clock moved
/// forward: subscribe → renew → upgrade → top-up → payment failed → grace → cancel → expire,
/// checking the balance, the ledger (which always sums to it) and the lots at every step. Each test
/// has its own server: the clock jumps.
/// </summary>
public sealed class SubscriptionLifecycleTests
{
    private const string Sub = "8001";

    [Fact]
    public async Task Subscribe_renew_upgrade_top_up_fail_grace_cancel_expire()
    {
        await using var server = await PingvasServer.StartAsync(BillingHooks.Settings());
        var user = await server.RegisterAsync();
        await AssertCreditsAsync(server, user, "free", 100);
        var t0 = Now(server);

        // Subscribe: Starter from now to the provider's renews_at; Free's credits are replaced.
        await server.LsAsync(LsEvents.Subscription("subscription_created", user.Id, Sub, BillingHooks.LsStarterMonthly, "active", t0.AddMonths(1), t0));
        await server.LsAsync(LsEvents.Invoice("subscription_payment_success", user.Id, "9001", Sub, "initial", 2500, t0));
        await AssertCreditsAsync(server, user, "starter", 5000);
        var plan = Assert.Single(await PlanLotsAsync(server, user), l => l.Remaining > 0);
        Assert.Equal(t0.AddMonths(1), plan.ExpiresAt!.Value, TimeSpan.FromSeconds(1));
        var billing = await user.BillingAsync();
        Assert.Equal("starter", billing.Plan.Id);
        Assert.Equal(("active", "starter", "monthly"), (billing.Subscription!.Status, billing.Subscription.PlanId, billing.Subscription.Interval));
        Assert.Equal(t0.AddMonths(1), billing.Subscription.RenewsAt!.Value, TimeSpan.FromSeconds(1));
        Assert.Equal(("subscription", 2500, "USD", "paid"), One(billing.Payments));

        // The period ends; until the provider's renewal arrives the plan credits are gone, nothing more.
        await server.JumpClockAsync(t0.AddMonths(1) - t0 + TimeSpan.FromHours(1));
        await AssertCreditsAsync(server, user, "starter", 0);
        await server.LsAsync(LsEvents.Invoice("subscription_payment_success", user.Id, "9002", Sub, "renewal", 2500, Now(server)));
        await server.LsAsync(LsEvents.Subscription("subscription_updated", user.Id, Sub, BillingHooks.LsStarterMonthly, "active", t0.AddMonths(2), Now(server)));
        await AssertCreditsAsync(server, user, "starter", 5000);
        Assert.Equal(2, (await user.LedgerAsync()).Count(e => e.Kind == "grant" && e.Reason.StartsWith("Starter", StringComparison.Ordinal)));
        Assert.Equal(-5000, (await user.LedgerAsync()).First(e => e.Kind == "expire").Amount);

        // Ten days in, an upgrade to Pro: at once, Pro's credits pro-rated by the days left replace Starter's.
        await server.JumpClockAsync(TimeSpan.FromDays(10));
        var row = await server.UserRowAsync(user.Id);
        var total = (int)Math.Round((row.PeriodEnd - row.PeriodStart).TotalDays);
        var left = (int)Math.Ceiling((row.PeriodEnd - Now(server)).TotalDays);
        var prorated = 15000 * left / total;
        await server.LsAsync(LsEvents.Subscription("subscription_updated", user.Id, Sub, BillingHooks.LsProMonthly, "active", t0.AddMonths(2), Now(server)));
        await AssertCreditsAsync(server, user, "pro", prorated);
        Assert.InRange(prorated, 15000 * 17 / 31, 15000 * 21 / 28);
        Assert.Equal("pro", (await user.BillingAsync()).Subscription!.PlanId);

        // A top-up: a purchased lot that never expires and remembers its order.
        await server.LsAsync(LsEvents.Order("order_created", user.Id, "6001", BillingHooks.LsTopUp1000, 900, Now(server)));
        await AssertCreditsAsync(server, user, "pro", prorated + 1000);
        var purchase = Assert.Single(await server.QueryAsync(db => db.Lots.Where(l => l.UserId == user.Id && l.Source == LotSource.Purchase).ToListAsync()));
        Assert.Equal((1000, (DateTime?)null, "lemonsqueezy:order:6001"), (purchase.Remaining, purchase.ExpiresAt, purchase.OrderRef));

        // The next renewal payment fails: past due with a grace period; the plan stays, its new credits wait.
        await server.JumpClockAsync(t0.AddMonths(2) - Now(server) + TimeSpan.FromHours(1));
        await server.LsAsync(LsEvents.Invoice("subscription_payment_failed", user.Id, "9003", Sub, "renewal", 7500, Now(server)));
        await server.LsAsync(LsEvents.Subscription("subscription_updated", user.Id, Sub, BillingHooks.LsProMonthly, "past_due", t0.AddMonths(2), Now(server)));
        await AssertCreditsAsync(server, user, "pro", 1000);
        billing = await user.BillingAsync();
        Assert.Equal("past_due", billing.Subscription!.Status);
        Assert.Equal(Now(server).AddDays(7), billing.Subscription.GraceUntil!.Value, TimeSpan.FromMinutes(1));

        // Three days of grace; the daily reconciliation leaves it alone; then the retry succeeds.
        await server.JumpClockAsync(TimeSpan.FromDays(3));
        Assert.Equal(0, await ReconcileAsync(server));
        await AssertCreditsAsync(server, user, "pro", 1000);
        await server.LsAsync(LsEvents.Invoice("subscription_payment_success", user.Id, "9004", Sub, "renewal", 7500, Now(server)));
        await server.LsAsync(LsEvents.Subscription("subscription_updated", user.Id, Sub, BillingHooks.LsProMonthly, "active", t0.AddMonths(3), Now(server)));
        await AssertCreditsAsync(server, user, "pro", 16000);
        billing = await user.BillingAsync();
        Assert.Equal(("active", (DateTime?)null), (billing.Subscription!.Status, billing.Subscription.GraceUntil));

        // Cancelled: the plan stays until the period ends.
        await server.JumpClockAsync(TimeSpan.FromDays(5));
        await server.LsAsync(LsEvents.Subscription("subscription_cancelled", user.Id, Sub, BillingHooks.LsProMonthly, "cancelled", t0.AddMonths(3), Now(server), cancelled: true, endsAt: t0.AddMonths(3)));
        billing = await user.BillingAsync();
        Assert.Equal(("cancelled", true, (DateTime?)null), (billing.Subscription!.Status, billing.Subscription.CancelAtPeriodEnd, billing.Subscription.RenewsAt));
        Assert.Equal(t0.AddMonths(3), billing.Subscription.EndsAt!.Value, TimeSpan.FromSeconds(1));
        await AssertCreditsAsync(server, user, "pro", 16000);

        // The period ends: the reconciliation returns the account to Free; the provider's expiry then changes nothing.
        await server.JumpClockAsync(t0.AddMonths(3) - Now(server) + TimeSpan.FromHours(1));
        Assert.Equal(1, await ReconcileAsync(server));
        await AssertCreditsAsync(server, user, "free", 1100);
        var entries = (await user.LedgerAsync()).Count;
        await server.LsAsync(LsEvents.Subscription("subscription_expired", user.Id, Sub, BillingHooks.LsProMonthly, "expired", t0.AddMonths(3), Now(server), cancelled: true, endsAt: t0.AddMonths(3)));
        await AssertCreditsAsync(server, user, "free", 1100);
        Assert.Equal(entries, (await user.LedgerAsync()).Count);
        Assert.Equal("expired", (await user.BillingAsync()).Subscription!.Status);
        Assert.Equal(0, await ReconcileAsync(server));

        // Every step told the user, in order.
        var emails = await server.EmailsAsync(user.Id);
        Assert.Equal(
            ["subscription_started", "subscription_renewed", "subscription_changed", "payment_failed", "subscription_renewed", "subscription_cancelled", "subscription_changed"],
            emails.Select(e => e.Kind));
        Assert.Equal(("Pro", "upgraded"), (emails[2].Data["plan"], emails[2].Data["change"]));
        Assert.Equal(("Free", "cancelled_ended"), (emails[6].Data["plan"], emails[6].Data["change"]));
        Assert.Equal(("7500", "USD"), (emails[3].Data["amount"], emails[3].Data["currency"]));
        Assert.True(DateTime.TryParse(emails[3].Data["graceUntil"], out _));

        // The templates read these keys: the failed payment names its amount and the grace date.
        var templates = new Pingvas.Server.Email.EmailTemplates(Microsoft.Extensions.Options.Options.Create(new Pingvas.Server.Hosting.AppOptions()));
        var failed = templates.Render(emails[3].Kind, "en", user.Email, emails[3].Data);
        Assert.Contains("75.00 USD", failed.Text, StringComparison.Ordinal);
        Assert.Contains(emails[3].Data["graceUntil"][..10], failed.Text, StringComparison.Ordinal);
        var renewed = templates.Render(emails[1].Kind, "ko", user.Email, emails[1].Data);
        Assert.Contains(emails[1].Data["periodEnd"][..10], renewed.Text, StringComparison.Ordinal);

        var payments = (await user.BillingAsync()).Payments;
        Assert.Equal(["renewal", "renewal", "topup", "renewal", "subscription"], payments.Select(p => p.Kind));
        Assert.Equal(["paid", "failed", "paid", "paid", "paid"], payments.Select(p => p.Status));
    }

    [Fact]
    public async Task A_grace_period_without_payment_ends_on_free_and_a_downgrade_waits_for_the_period_end()
    {
        await using var server = await PingvasServer.StartAsync(BillingHooks.Settings());
        var user = await server.RegisterAsync();
        var t0 = Now(server);
        await server.LsAsync(LsEvents.Subscription("subscription_created", user.Id, Sub, BillingHooks.LsStudioMonthly, "active", t0.AddMonths(1), t0));
        await AssertCreditsAsync(server, user, "studio", 30000);

        // A downgrade to Starter: Studio stays until the period ends.
        await server.JumpClockAsync(TimeSpan.FromDays(3));
        await server.LsAsync(LsEvents.Subscription("subscription_updated", user.Id, Sub, BillingHooks.LsStarterMonthly, "active", t0.AddMonths(1), Now(server)));
        await AssertCreditsAsync(server, user, "studio", 30000);
        var billing = await user.BillingAsync();
        Assert.Equal(("studio", "starter", "monthly"), (billing.Subscription!.PlanId, billing.Subscription.PendingPlanId, billing.Subscription.PendingInterval));

        // Later updates repeat the new variant: still one downgrade waiting, told once.
        await server.LsAsync(LsEvents.Subscription("subscription_updated", user.Id, Sub, BillingHooks.LsStarterMonthly, "active", t0.AddMonths(1), Now(server).AddSeconds(1)));
        Assert.Single(await server.EmailsAsync(user.Id), e => e.Data.GetValueOrDefault("change") == "downgrade_scheduled");

        // The renewal payment applies it: Starter's credits for the new period.
        await server.JumpClockAsync(t0.AddMonths(1) - Now(server) + TimeSpan.FromMinutes(5));
        await server.LsAsync(LsEvents.Invoice("subscription_payment_success", user.Id, "9101", Sub, "renewal", 2500, Now(server)));
        await AssertCreditsAsync(server, user, "starter", 5000);
        billing = await user.BillingAsync();
        Assert.Equal(("starter", (string?)null), (billing.Subscription!.PlanId, billing.Subscription.PendingPlanId));

        // The next renewal fails and nobody pays: after the grace days, Free.
        await server.JumpClockAsync(t0.AddMonths(2) - Now(server) + TimeSpan.FromMinutes(5));
        await server.LsAsync(LsEvents.Invoice("subscription_payment_failed", user.Id, "9102", Sub, "renewal", 2500, Now(server)));
        await server.JumpClockAsync(TimeSpan.FromDays(6));
        Assert.Equal(0, await ReconcileAsync(server));
        await AssertCreditsAsync(server, user, "starter", 0);
        await server.JumpClockAsync(TimeSpan.FromDays(1) + TimeSpan.FromHours(1));
        Assert.Equal(1, await ReconcileAsync(server));
        await AssertCreditsAsync(server, user, "free", 100);
        Assert.Equal("expired", (await user.BillingAsync()).Subscription!.Status);
        Assert.Equal("grace_ended", (await server.EmailsAsync(user.Id)).Last().Data["change"]);

        // The provider's later word that the subscription is unpaid brings nothing back.
        await server.LsAsync(LsEvents.Subscription("subscription_updated", user.Id, Sub, BillingHooks.LsStarterMonthly, "unpaid", t0.AddMonths(2), Now(server)));
        await AssertCreditsAsync(server, user, "free", 100);
        Assert.Equal("expired", (await user.BillingAsync()).Subscription!.Status);
    }

    [Fact]
    public async Task Without_a_renewal_event_the_reconciliation_applies_a_downgrade_at_the_period_end_and_the_late_renewal_confirms_it()
    {
        await using var server = await PingvasServer.StartAsync(BillingHooks.Settings());
        var user = await server.RegisterAsync();
        var t0 = Now(server);
        await server.LsAsync(LsEvents.Subscription("subscription_created", user.Id, Sub, BillingHooks.LsProMonthly, "active", t0.AddMonths(1), t0));
        await server.LsAsync(LsEvents.Subscription("subscription_updated", user.Id, Sub, BillingHooks.LsStarterMonthly, "active", t0.AddMonths(1), t0.AddSeconds(1)));
        await AssertCreditsAsync(server, user, "pro", 15000);

        await server.JumpClockAsync(t0.AddMonths(1) - t0 + TimeSpan.FromHours(2));
        Assert.Equal(1, await ReconcileAsync(server));
        await AssertCreditsAsync(server, user, "starter", 5000);

        // The provider's renewal for that same period arrives late: recorded, no second grant.
        var ledger = (await user.LedgerAsync()).Count;
        await server.LsAsync(LsEvents.Invoice("subscription_payment_success", user.Id, "9201", Sub, "renewal", 2500, Now(server)));
        await AssertCreditsAsync(server, user, "starter", 5000);
        Assert.Equal(ledger, (await user.LedgerAsync()).Count);
        Assert.Equal("renewal", (await user.BillingAsync()).Payments[0].Kind);
    }

    [Fact]
    public async Task An_annual_plan_grants_monthly_within_the_paid_year_and_the_sweep_follows_it()
    {
        await using var server = await PingvasServer.StartAsync(BillingHooks.Settings());
        var user = await server.RegisterAsync();
        var t0 = Now(server);
        await server.LsAsync(LsEvents.Subscription("subscription_created", user.Id, Sub, BillingHooks.LsStarterAnnual, "active", t0.AddYears(1), t0));
        await AssertCreditsAsync(server, user, "starter", 5000);
        Assert.Equal(t0.AddMonths(1), (await user.MeAsync()).Credits.PeriodEnd, TimeSpan.FromSeconds(1));

        // A month later the next month's credits come from the year already paid.
        await server.JumpClockAsync(TimeSpan.FromDays(32));
        Assert.True(await server.Services.GetRequiredService<Pingvas.Server.Credits.PlanPeriodSweep>().RunOnceAsync(CancellationToken.None) >= 1);
        await AssertCreditsAsync(server, user, "starter", 5000);
        Assert.Equal(t0.AddMonths(2), (await user.MeAsync()).Credits.PeriodEnd, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Older_subscription_states_arriving_late_are_recorded_and_ignored()
    {
        await using var server = await PingvasServer.StartAsync(BillingHooks.Settings());
        var user = await server.RegisterAsync();
        var t0 = Now(server);
        await server.LsAsync(LsEvents.Subscription("subscription_created", user.Id, Sub, BillingHooks.LsStarterMonthly, "active", t0.AddMonths(1), t0));

        // The provider sent "upgraded to Pro" (t0+2s) after "cancelled" (t0+1s); we receive them the other way round.
        await server.LsAsync(LsEvents.Subscription("subscription_updated", user.Id, Sub, BillingHooks.LsProMonthly, "active", t0.AddMonths(1), t0.AddSeconds(2)));
        await server.LsAsync(LsEvents.Subscription("subscription_cancelled", user.Id, Sub, BillingHooks.LsStarterMonthly, "cancelled", t0.AddMonths(1), t0.AddSeconds(1), cancelled: true, endsAt: t0.AddMonths(1)));

        var billing = await user.BillingAsync();
        Assert.Equal(("active", "pro", false), (billing.Subscription!.Status, billing.Subscription.PlanId, billing.Subscription.CancelAtPeriodEnd));
        Assert.Equal("pro", billing.Plan.Id);
        var outcomes = await server.QueryAsync(db => db.BillingEvents.Where(e => e.UserId == user.Id).OrderBy(e => e.ReceivedAt).ThenBy(e => e.Id).Select(e => e.Outcome).ToListAsync());
        Assert.Equal(["applied", "applied", "stale"], outcomes);
    }

    [Fact]
    public async Task Webhooks_never_change_an_enterprise_users_plan()
    {
        await using var server = await PingvasServer.StartAsync(BillingHooks.Settings());
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "enterprise");
        await server.LsAsync(LsEvents.Subscription("subscription_created", user.Id, Sub, BillingHooks.LsStarterMonthly, "active", Now(server).AddMonths(1), Now(server)));
        Assert.Equal("enterprise", (await user.MeAsync()).Plan.Id);
        Assert.Null((await user.BillingAsync()).Subscription);
        Assert.Equal("enterprise", await server.QueryAsync(db => db.BillingEvents.Where(e => e.UserId == user.Id).Select(e => e.Outcome).SingleAsync()));
    }

    internal static DateTime Now(PingvasServer server) => server.Time.GetUtcNow().UtcDateTime;

    internal static Task<int> ReconcileAsync(PingvasServer server) =>
        server.Services.GetRequiredService<BillingReconciliation>().RunOnceAsync(CancellationToken.None);

    private static Task<List<Pingvas.Server.Credits.Lot>> PlanLotsAsync(PingvasServer server, TestUser user) =>
        server.QueryAsync(db => db.Lots.Where(l => l.UserId == user.Id && l.Source == LotSource.Plan).ToListAsync());

    private static (string, int, string, string) One(List<BillingPaymentBody> payments)
    {
        var p = Assert.Single(payments);
        return (p.Kind, p.Amount, p.Currency, p.Status);
    }

    /// <summary>The plan and balance the user sees, the ledger summing to it, and the spendable lots holding it.</summary>
    internal static async Task AssertCreditsAsync(PingvasServer server, TestUser user, string plan, int balance)
    {
        var me = await user.MeAsync();
        Assert.Equal((plan, balance), (me.Plan.Id, me.Credits.Balance));
        Assert.Equal(balance, (await user.LedgerAsync()).Sum(e => e.Amount));
        var now = Now(server);
        var lots = await server.QueryAsync(db => db.Lots.Where(l => l.UserId == user.Id).ToListAsync());
        Assert.Equal(balance, lots.Where(l => l.Remaining > 0 && l.ValidFrom <= now && (l.ExpiresAt == null || l.ExpiresAt > now)).Sum(l => l.Remaining));
    }
}
