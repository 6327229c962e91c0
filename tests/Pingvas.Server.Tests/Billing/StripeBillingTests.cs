using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Core.Credits;
using Pingvas.Server.Credits;
using Pingvas.Server.Data;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Billing;

/// <summary>Stripe's events through the same lifecycle, and refunds of top-ups on both providers.</summary>
public sealed class StripeBillingTests
{
    [Fact]
    public async Task Stripe_checkout_invoices_and_subscription_updates_drive_the_plan()
    {
        await using var server = await PingvasServer.StartAsync(BillingHooks.Settings());
        var user = await server.RegisterAsync();
        var t0 = SubscriptionLifecycleTests.Now(server);
        const string sub = "sub_test_1";

        await server.StripeAsync(StripeEvents.CheckoutSubscription(user.Id, sub, "price_starter_m", t0));
        await server.StripeAsync(StripeEvents.Invoice("invoice.paid", user.Id, sub, "price_starter_m", "subscription_create", 2500, t0, t0.AddMonths(1), t0));
        await SubscriptionLifecycleTests.AssertCreditsAsync(server, user, "starter", 5000);
        Assert.Equal(("subscription", 2500, "paid"), Single(await user.BillingAsync()));

        // Cancel at period end, then change of mind: resumed.
        await server.StripeAsync(StripeEvents.SubscriptionUpdated("customer.subscription.updated", user.Id, sub, "price_starter_m", "active", true, t0, t0.AddMonths(1), t0.AddMinutes(1)));
        Assert.Equal("cancelled", (await user.BillingAsync()).Subscription!.Status);
        await server.StripeAsync(StripeEvents.SubscriptionUpdated("customer.subscription.updated", user.Id, sub, "price_starter_m", "active", false, t0, t0.AddMonths(1), t0.AddMinutes(2)));
        Assert.Equal(("active", false), ((await user.BillingAsync()).Subscription!.Status, (await user.BillingAsync()).Subscription!.CancelAtPeriodEnd));

        // The cycle's invoice renews with its own period.
        await server.JumpClockAsync(t0.AddMonths(1) - t0 + TimeSpan.FromMinutes(10));
        var now = SubscriptionLifecycleTests.Now(server);
        await server.StripeAsync(StripeEvents.Invoice("invoice.paid", user.Id, sub, "price_starter_m", "subscription_cycle", 2500, t0.AddMonths(1), t0.AddMonths(2), now));
        await server.StripeAsync(StripeEvents.SubscriptionUpdated("customer.subscription.updated", user.Id, sub, "price_starter_m", "active", false, t0.AddMonths(1), t0.AddMonths(2), now));
        await SubscriptionLifecycleTests.AssertCreditsAsync(server, user, "starter", 5000);
        Assert.Equal(t0.AddMonths(2), (await user.MeAsync()).Credits.PeriodEnd, TimeSpan.FromSeconds(1));

        // A failed payment, then the subscription is deleted: Free at once.
        await server.StripeAsync(StripeEvents.Invoice("invoice.payment_failed", user.Id, sub, "price_starter_m", "subscription_cycle", 2500, t0.AddMonths(2), t0.AddMonths(3), now.AddMinutes(1)));
        Assert.Equal("past_due", (await user.BillingAsync()).Subscription!.Status);
        await server.StripeAsync(StripeEvents.SubscriptionUpdated("customer.subscription.deleted", user.Id, sub, "price_starter_m", "canceled", false, t0.AddMonths(1), t0.AddMonths(2), now.AddMinutes(2)));
        await SubscriptionLifecycleTests.AssertCreditsAsync(server, user, "free", 100);
        Assert.Equal("expired", (await user.BillingAsync()).Subscription!.Status);
        Assert.Equal(["subscription_started", "subscription_cancelled", "subscription_changed", "subscription_renewed", "payment_failed", "subscription_changed"],
            (await server.EmailsAsync(user.Id)).Select(e => e.Kind));
    }

    [Fact]
    public async Task A_refund_removes_what_is_left_of_its_top_up_never_below_zero()
    {
        await using var server = await PingvasServer.StartAsync(BillingHooks.Settings());
        var user = await server.RegisterAsync();
        var now = SubscriptionLifecycleTests.Now(server);

        // Lemon Squeezy: 1,000 bought, 950 of them spent (after the 100 plan credits), the other 50 refunded away.
        await server.LsAsync(LsEvents.Order("order_created", user.Id, "6101", BillingHooks.LsTopUp1000, 900, now));
        await SubscriptionLifecycleTests.AssertCreditsAsync(server, user, "free", 1100);
        await SpendAsync(server, user.Id, 1050);
        await SubscriptionLifecycleTests.AssertCreditsAsync(server, user, "free", 50);
        await server.LsAsync(LsEvents.Order("order_refunded", user.Id, "6101", BillingHooks.LsTopUp1000, 900, now, refunded: true));
        await SubscriptionLifecycleTests.AssertCreditsAsync(server, user, "free", 0);
        var revoke = (await user.LedgerAsync()).First();
        Assert.Equal(("adjust", -50, 0), (revoke.Kind, revoke.Amount, revoke.BalanceAfter));

        // Stripe: a whole top-up refunded (found by its payment intent, with no user id on the charge), then a second refund event.
        const string intent = "pi_test_refund_1";
        await server.StripeAsync(StripeEvents.CheckoutPayment(user.Id, intent, "price_topup_5000", 3900, now));
        await SubscriptionLifecycleTests.AssertCreditsAsync(server, user, "free", 5000);
        await server.StripeAsync(StripeEvents.ChargeRefunded(intent, 3900, now));
        await SubscriptionLifecycleTests.AssertCreditsAsync(server, user, "free", 0);
        var entries = (await user.LedgerAsync()).Count;
        await server.StripeAsync(StripeEvents.ChargeRefunded(intent, 3900, now));
        await SubscriptionLifecycleTests.AssertCreditsAsync(server, user, "free", 0);
        Assert.Equal(entries, (await user.LedgerAsync()).Count);

        var payments = (await user.BillingAsync()).Payments;
        Assert.Equal(2, payments.Count(p => p is { Kind: "topup", Status: "refunded" }));
        Assert.Equal(3, payments.Count(p => p.Kind == "refund"));
    }

    /// <summary>Spends credits as a job would (drawn in spend order: the plan lot first, purchases last).</summary>
    private static async Task SpendAsync(PingvasServer server, Guid userId, int amount)
    {
        await using var scope = server.Services.CreateSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
        await using var tx = await db.BeginWriteAsync(CancellationToken.None);
        await db.LockUserAsync(userId, CancellationToken.None);
        Assert.NotNull(await scope.ServiceProvider.GetRequiredService<Ledger>().AdjustAsync(userId, -amount, null, "test spend", $"test-spend:{Guid.NewGuid()}", CancellationToken.None));
        await tx.CommitAsync();
        Assert.Equal(50, await db.Lots.Where(l => l.UserId == userId && l.Source == LotSource.Purchase).SumAsync(l => l.Remaining));
    }

    private static (string, int, string) Single(BillingBody billing)
    {
        var p = Assert.Single(billing.Payments);
        return (p.Kind, p.Amount, p.Status);
    }
}
