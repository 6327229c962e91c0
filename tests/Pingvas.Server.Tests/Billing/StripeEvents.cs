using System.Text.Json.Nodes;

namespace Pingvas.Server.Tests.Billing;

/// <summary>Stripe event bodies in the documented shape (<c>id</c>, <c>type</c>, <c>created</c>, <c>data.object</c>), current API version.</summary>
public static class StripeEvents
{
    public static JsonObject CheckoutSubscription(Guid userId, string subscriptionId, string priceId, DateTime at) =>
        Event("checkout.session.completed", at, new JsonObject
        {
            ["id"] = $"cs_test_{Guid.NewGuid():N}",
            ["object"] = "checkout.session",
            ["mode"] = "subscription",
            ["status"] = "complete",
            ["payment_status"] = "paid",
            ["client_reference_id"] = userId.ToString(),
            ["customer"] = "cus_test_1",
            ["subscription"] = subscriptionId,
            ["payment_intent"] = null,
            ["amount_total"] = 2500,
            ["currency"] = "usd",
            ["metadata"] = new JsonObject { ["user_id"] = userId.ToString(), ["price_id"] = priceId },
        });

    public static JsonObject CheckoutPayment(Guid userId, string paymentIntent, string priceId, int amount, DateTime at) =>
        Event("checkout.session.completed", at, new JsonObject
        {
            ["id"] = $"cs_test_{Guid.NewGuid():N}",
            ["object"] = "checkout.session",
            ["mode"] = "payment",
            ["status"] = "complete",
            ["payment_status"] = "paid",
            ["client_reference_id"] = userId.ToString(),
            ["customer"] = "cus_test_1",
            ["subscription"] = null,
            ["payment_intent"] = paymentIntent,
            ["amount_total"] = amount,
            ["currency"] = "usd",
            ["metadata"] = new JsonObject { ["user_id"] = userId.ToString(), ["price_id"] = priceId },
        });

    /// <param name="reason">subscription_create, subscription_cycle or subscription_update.</param>
    public static JsonObject Invoice(string type, Guid userId, string subscriptionId, string priceId, string reason, int amount, DateTime periodStart, DateTime periodEnd, DateTime at) =>
        Event(type, at, new JsonObject
        {
            ["id"] = $"in_{Guid.NewGuid():N}",
            ["object"] = "invoice",
            ["billing_reason"] = reason,
            ["customer"] = "cus_test_1",
            ["currency"] = "usd",
            ["amount_due"] = amount,
            ["amount_paid"] = type == "invoice.paid" ? amount : 0,
            ["status"] = type == "invoice.paid" ? "paid" : "open",
            ["parent"] = new JsonObject
            {
                ["type"] = "subscription_details",
                ["subscription_details"] = new JsonObject { ["subscription"] = subscriptionId, ["metadata"] = new JsonObject { ["user_id"] = userId.ToString() } },
            },
            ["lines"] = new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(new JsonObject
                {
                    ["id"] = $"il_{Guid.NewGuid():N}",
                    ["amount"] = amount,
                    ["period"] = new JsonObject { ["start"] = Unix(periodStart), ["end"] = Unix(periodEnd) },
                    ["pricing"] = new JsonObject { ["type"] = "price_details", ["price_details"] = new JsonObject { ["price"] = priceId, ["product"] = "prod_1" } },
                    ["metadata"] = new JsonObject(),
                }),
            },
        });

    public static JsonObject SubscriptionUpdated(string type, Guid userId, string subscriptionId, string priceId, string status, bool cancelAtPeriodEnd, DateTime periodStart, DateTime periodEnd, DateTime at) =>
        Event(type, at, new JsonObject
        {
            ["id"] = subscriptionId,
            ["object"] = "subscription",
            ["customer"] = "cus_test_1",
            ["status"] = status,
            ["cancel_at_period_end"] = cancelAtPeriodEnd,
            ["cancel_at"] = cancelAtPeriodEnd ? Unix(periodEnd) : null,
            ["metadata"] = new JsonObject { ["user_id"] = userId.ToString() },
            ["items"] = new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(new JsonObject
                {
                    ["id"] = "si_1",
                    ["object"] = "subscription_item",
                    ["price"] = new JsonObject { ["id"] = priceId, ["object"] = "price" },
                    ["current_period_start"] = Unix(periodStart),
                    ["current_period_end"] = Unix(periodEnd),
                }),
            },
        });

    public static JsonObject ChargeRefunded(string paymentIntent, int amountRefunded, DateTime at) =>
        Event("charge.refunded", at, new JsonObject
        {
            ["id"] = $"ch_{Guid.NewGuid():N}",
            ["object"] = "charge",
            ["payment_intent"] = paymentIntent,
            ["amount"] = amountRefunded,
            ["amount_refunded"] = amountRefunded,
            ["currency"] = "usd",
            ["refunded"] = true,
            ["metadata"] = new JsonObject(),
        });

    public static JsonObject Event(string type, DateTime at, JsonObject obj) => new()
    {
        ["id"] = $"evt_{Guid.NewGuid():N}",
        ["object"] = "event",
        ["api_version"] = "2025-03-31.basil",
        ["created"] = Unix(at),
        ["livemode"] = false,
        ["type"] = type,
        ["data"] = new JsonObject { ["object"] = obj },
    };

    public static long Unix(DateTime t) => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).ToUnixTimeSeconds();
}
