using System.Text.Json.Nodes;

namespace Pingvas.Server.Tests.Billing;

/// <summary>
/// Lemon Squeezy webhook bodies in the documented shape: <c>meta</c> (event_name, custom_data with
/// our user id, test_mode, webhook_id) and <c>data</c> = the JSON:API object the event is about
/// (subscriptions, subscription-invoices, orders) with its attributes.
/// </summary>
public static class LsEvents
{
    public static JsonObject Subscription(
        string eventName, Guid? userId, string subscriptionId, int variantId, string status, DateTime renewsAt, DateTime updatedAt,
        bool cancelled = false, DateTime? endsAt = null) =>
        Envelope(eventName, userId, "subscriptions", subscriptionId, new JsonObject
        {
            ["store_id"] = 7,
            ["customer_id"] = 9001,
            ["order_id"] = 5001,
            ["order_item_id"] = 5002,
            ["product_id"] = 300,
            ["variant_id"] = variantId,
            ["product_name"] = "Pingvas Studio",
            ["variant_name"] = "Plan",
            ["user_name"] = "Test User",
            ["user_email"] = "buyer@example.com",
            ["status"] = status,
            ["status_formatted"] = status,
            ["card_brand"] = "visa",
            ["card_last_four"] = "4242",
            ["pause"] = null,
            ["cancelled"] = cancelled,
            ["trial_ends_at"] = null,
            ["billing_anchor"] = renewsAt.Day,
            ["first_subscription_item"] = new JsonObject { ["id"] = 1, ["subscription_id"] = int.Parse(subscriptionId, System.Globalization.CultureInfo.InvariantCulture), ["price_id"] = variantId * 10, ["quantity"] = 1 },
            ["urls"] = new JsonObject { ["update_payment_method"] = "https://example.lemonsqueezy.com/u", ["customer_portal"] = "https://example.lemonsqueezy.com/billing" },
            ["renews_at"] = BillingHooks.Iso(renewsAt),
            ["ends_at"] = endsAt is { } e ? BillingHooks.Iso(e) : null,
            ["created_at"] = BillingHooks.Iso(updatedAt),
            ["updated_at"] = BillingHooks.Iso(updatedAt),
            ["test_mode"] = true,
        });

    /// <param name="reason">initial, renewal or updated.</param>
    public static JsonObject Invoice(string eventName, Guid? userId, string invoiceId, string subscriptionId, string reason, int total, DateTime at) =>
        Envelope(eventName, userId, "subscription-invoices", invoiceId, new JsonObject
        {
            ["store_id"] = 7,
            ["subscription_id"] = int.Parse(subscriptionId, System.Globalization.CultureInfo.InvariantCulture),
            ["customer_id"] = 9001,
            ["user_name"] = "Test User",
            ["user_email"] = "buyer@example.com",
            ["billing_reason"] = reason,
            ["card_brand"] = "visa",
            ["card_last_four"] = "4242",
            ["currency"] = "USD",
            ["currency_rate"] = "1.00000000",
            ["status"] = eventName == "subscription_payment_failed" ? "pending" : "paid",
            ["status_formatted"] = "Paid",
            ["refunded"] = false,
            ["refunded_at"] = null,
            ["subtotal"] = total,
            ["discount_total"] = 0,
            ["tax"] = 0,
            ["total"] = total,
            ["created_at"] = BillingHooks.Iso(at),
            ["updated_at"] = BillingHooks.Iso(at),
            ["test_mode"] = true,
        });

    public static JsonObject Order(string eventName, Guid? userId, string orderId, int variantId, int total, DateTime at, bool refunded = false) =>
        Envelope(eventName, userId, "orders", orderId, new JsonObject
        {
            ["store_id"] = 7,
            ["customer_id"] = 9001,
            ["identifier"] = Guid.NewGuid().ToString(),
            ["order_number"] = int.Parse(orderId, System.Globalization.CultureInfo.InvariantCulture),
            ["user_name"] = "Test User",
            ["user_email"] = "buyer@example.com",
            ["currency"] = "USD",
            ["currency_rate"] = "1.00000000",
            ["subtotal"] = total,
            ["discount_total"] = 0,
            ["tax"] = 0,
            ["total"] = total,
            ["status"] = refunded ? "refunded" : "paid",
            ["status_formatted"] = refunded ? "Refunded" : "Paid",
            ["refunded"] = refunded,
            ["refunded_at"] = refunded ? BillingHooks.Iso(at) : null,
            ["refunded_amount"] = refunded ? total : 0,
            ["first_order_item"] = new JsonObject
            {
                ["id"] = 1,
                ["order_id"] = int.Parse(orderId, System.Globalization.CultureInfo.InvariantCulture),
                ["product_id"] = 400,
                ["variant_id"] = variantId,
                ["product_name"] = "Credits",
                ["variant_name"] = "Pack",
                ["price"] = total,
                ["quantity"] = 1,
            },
            ["urls"] = new JsonObject { ["receipt"] = "https://app.lemonsqueezy.com/my-orders/x" },
            ["created_at"] = BillingHooks.Iso(at),
            ["updated_at"] = BillingHooks.Iso(at),
            ["test_mode"] = true,
        });

    private static JsonObject Envelope(string eventName, Guid? userId, string type, string id, JsonObject attributes) => new()
    {
        ["meta"] = new JsonObject
        {
            ["test_mode"] = true,
            ["event_name"] = eventName,
            ["webhook_id"] = "4f0f8a3e-0000-4000-8000-000000000001",
            ["custom_data"] = userId is { } u ? new JsonObject { ["user_id"] = u.ToString() } : null,
        },
        ["data"] = new JsonObject
        {
            ["type"] = type,
            ["id"] = id,
            ["attributes"] = attributes,
            ["relationships"] = new JsonObject(),
            ["links"] = new JsonObject { ["self"] = $"https://api.lemonsqueezy.com/v1/{type}/{id}" },
        },
    };
}
