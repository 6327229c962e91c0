using Pingvas.Server.Tests.Billing;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Telemetry;

/// <summary>Payments, revenue and credit grants move with signed billing webhooks, as a provider sends them.</summary>
public sealed class MetricsBillingTests
{
    [Fact]
    public async Task A_paid_subscription_and_a_top_up_are_counted_as_payments_revenue_and_granted_credits()
    {
        await using var server = await PingvasServer.StartAsync(BillingHooks.Settings());
        var user = await server.RegisterAsync();
        var now = server.Time.GetUtcNow().UtcDateTime;
        // Each event is new (not a duplicate receipt).
        Assert.False(await server.LsAsync(LsEvents.Subscription("subscription_created", user.Id, "8101", BillingHooks.LsStarterMonthly, "active", now.AddMonths(1), now)));
        Assert.False(await server.LsAsync(LsEvents.Invoice("subscription_payment_success", user.Id, "9101", "8101", "initial", 2500, now)));
        Assert.False(await server.LsAsync(LsEvents.Order("order_created", user.Id, "6101", BillingHooks.LsTopUp1000, 900, now)));

        using var client = server.CreateClient();
        var text = await client.GetStringAsync("/metrics");
        Assert.Contains("pingvas_payments_total{kind=\"subscription\",outcome=\"paid\",provider=\"lemonsqueezy\"} 1\n", text);
        Assert.Contains("pingvas_payments_total{kind=\"topup\",outcome=\"paid\",provider=\"lemonsqueezy\"} 1\n", text);
        Assert.Contains("pingvas_revenue_total{currency=\"usd\",provider=\"lemonsqueezy\"} 34\n", text);
        // Free's 100 at sign-up (no email configured: granted at once), then Starter's 5000; the pack's 1000.
        Assert.Contains("pingvas_credits_granted_total{kind=\"plan\"} 5100\n", text);
        Assert.Contains("pingvas_credits_granted_total{kind=\"topup\"} 1000\n", text);
    }
}
