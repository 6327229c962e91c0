using System.Text.Json.Nodes;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>What happens to a subscription or payment after the checkout, as Stripe reports it in events.</summary>
public sealed partial class FakeStripeApi
{
    /// <summary>A renewal: the period moves on one interval; invoice.paid (subscription_cycle) and customer.subscription.updated.</summary>
    public Task RenewAsync(string subscriptionId) => LifecycleAsync(subscriptionId, sub =>
    {
        var previous = new JsonObject { ["status"] = sub.Status };
        sub.PeriodStart = sub.PeriodEnd;
        sub.PeriodEnd = DateTimeOffset.FromUnixTimeSeconds(sub.PeriodEnd).AddMonths(sub.Price.Interval == "year" ? 12 : 1).ToUnixTimeSeconds();
        sub.Status = "active";
        return [("invoice.paid", InvoiceObject(sub, "subscription_cycle"), null), ("customer.subscription.updated", SubscriptionObject(sub), previous)];
    });

    /// <summary>A renewal whose payment failed: past_due; invoice.payment_failed and customer.subscription.updated.</summary>
    public Task FailPaymentAsync(string subscriptionId) => LifecycleAsync(subscriptionId, sub =>
    {
        var previous = new JsonObject { ["status"] = sub.Status };
        sub.Status = "past_due";
        var invoice = InvoiceObject(sub, "subscription_cycle");
        invoice["status"] = "open";
        invoice["amount_paid"] = 0;
        return [("invoice.payment_failed", invoice, null), ("customer.subscription.updated", SubscriptionObject(sub), previous)];
    });

    /// <summary>The subscription ends (period end after a cancellation, or dunning gave up): customer.subscription.deleted.</summary>
    public Task ExpireAsync(string subscriptionId) => LifecycleAsync(subscriptionId, sub =>
    {
        sub.Status = "canceled";
        var ended = SubscriptionObject(sub);
        ended["canceled_at"] = Unix;
        ended["ended_at"] = Unix;
        return [("customer.subscription.deleted", ended, null)];
    });

    /// <summary>A full refund of a top-up's payment: charge.refunded for its payment intent.</summary>
    public async Task RefundAsync(string sessionId)
    {
        JsonObject charge;
        lock (gate)
        {
            var session = sessions[sessionId];
            var metadata = new JsonObject();
            foreach (var (key, value) in session.Form.Where(f => f.Key.StartsWith("payment_intent_data[metadata][", StringComparison.Ordinal)))
            {
                metadata[key["payment_intent_data[metadata][".Length..^1]] = value;
            }

            charge = new JsonObject
            {
                ["id"] = "ch_" + RandomId(24),
                ["object"] = "charge",
                ["amount"] = session.Price.UnitAmount,
                ["amount_captured"] = session.Price.UnitAmount,
                ["amount_refunded"] = session.Price.UnitAmount,
                ["created"] = session.Created,
                ["currency"] = "usd",
                ["customer"] = session.Customer,
                ["livemode"] = false,
                ["metadata"] = metadata,
                ["paid"] = true,
                ["payment_intent"] = session.PaymentIntent,
                ["refunded"] = true,
                ["status"] = "succeeded",
            };
        }

        await DeliverAsync("charge.refunded", charge);
    }

    private async Task LifecycleAsync(string subscriptionId, Func<StripeSubscription, List<(string Type, JsonObject Object, JsonObject? Previous)>> change)
    {
        List<(string Type, JsonObject Object, JsonObject? Previous)> events;
        lock (gate)
        {
            events = change(subscriptions.GetValueOrDefault(subscriptionId) ?? throw new InvalidOperationException($"No subscription {subscriptionId}."));
        }

        foreach (var (type, data, previous) in events)
        {
            await DeliverAsync(type, data, previous);
        }
    }
}
