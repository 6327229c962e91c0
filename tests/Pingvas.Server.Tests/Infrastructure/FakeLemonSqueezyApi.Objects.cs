using System.Globalization;
using System.Text.Json.Nodes;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>Lemon Squeezy's order, subscription and subscription invoice objects, as its API and webhooks document them.</summary>
public sealed partial class FakeLemonSqueezyApi
{
    private (string, string) InvoiceEvent(LsSubscription sub, string eventName, string reason, string status)
    {
        var id = NextId();
        var total = sub.Variant.PriceCents;
        var at = Stamp(Now);
        return Event(eventName, sub.Order.Custom, ResourceObject("subscription-invoices", $"{id}", new JsonObject
        {
            ["store_id"] = int.Parse(StoreId, CultureInfo.InvariantCulture),
            ["subscription_id"] = sub.Id,
            ["customer_id"] = sub.Order.CustomerId,
            ["user_name"] = sub.Order.UserName,
            ["user_email"] = sub.Order.UserEmail,
            ["billing_reason"] = reason,
            ["card_brand"] = "visa",
            ["card_last_four"] = "4242",
            ["currency"] = "USD",
            ["currency_rate"] = "1.00000000",
            ["status"] = status,
            ["status_formatted"] = CultureInfo.InvariantCulture.TextInfo.ToTitleCase(status),
            ["refunded"] = false,
            ["refunded_at"] = null,
            ["subtotal"] = total,
            ["discount_total"] = 0,
            ["tax"] = 0,
            ["tax_inclusive"] = false,
            ["total"] = total,
            ["subtotal_usd"] = total,
            ["discount_total_usd"] = 0,
            ["tax_usd"] = 0,
            ["total_usd"] = total,
            ["subtotal_formatted"] = Money(total),
            ["discount_total_formatted"] = "$0.00",
            ["tax_formatted"] = "$0.00",
            ["total_formatted"] = Money(total),
            ["urls"] = new JsonObject { ["invoice_url"] = $"{BaseUrl}my-orders/invoice/{id}" },
            ["created_at"] = at,
            ["updated_at"] = at,
            ["test_mode"] = true,
        }));
    }

    private JsonObject OrderAttributesOf(LsOrder order)
    {
        var v = order.Variant;
        return new JsonObject
        {
            ["store_id"] = int.Parse(StoreId, CultureInfo.InvariantCulture),
            ["customer_id"] = order.CustomerId,
            ["identifier"] = order.Identifier.ToString(),
            ["order_number"] = order.Id,
            ["user_name"] = order.UserName,
            ["user_email"] = order.UserEmail,
            ["currency"] = "USD",
            ["currency_rate"] = "1.00000000",
            ["subtotal"] = v.PriceCents,
            ["discount_total"] = 0,
            ["tax"] = 0,
            ["total"] = v.PriceCents,
            ["refunded_amount"] = order.Refunded ? v.PriceCents : 0,
            ["subtotal_usd"] = v.PriceCents,
            ["discount_total_usd"] = 0,
            ["tax_usd"] = 0,
            ["total_usd"] = v.PriceCents,
            ["refunded_amount_usd"] = order.Refunded ? v.PriceCents : 0,
            ["tax_name"] = null,
            ["tax_rate"] = "0.00",
            ["status"] = order.Refunded ? "refunded" : "paid",
            ["status_formatted"] = order.Refunded ? "Refunded" : "Paid",
            ["refunded"] = order.Refunded,
            ["refunded_at"] = StampOrNull(order.RefundedAt),
            ["subtotal_formatted"] = Money(v.PriceCents),
            ["discount_total_formatted"] = "$0.00",
            ["tax_formatted"] = "$0.00",
            ["total_formatted"] = Money(v.PriceCents),
            ["first_order_item"] = new JsonObject
            {
                ["id"] = order.ItemId,
                ["order_id"] = order.Id,
                ["product_id"] = v.ProductId,
                ["variant_id"] = int.Parse(v.Id, CultureInfo.InvariantCulture),
                ["product_name"] = v.ProductName,
                ["variant_name"] = v.Name,
                ["price"] = v.PriceCents,
                ["quantity"] = 1,
                ["created_at"] = Stamp(order.CreatedAt),
                ["updated_at"] = Stamp(order.CreatedAt),
                ["test_mode"] = true,
            },
            ["urls"] = new JsonObject { ["receipt"] = $"{BaseUrl}my-orders/{order.Identifier}" },
            ["created_at"] = Stamp(order.CreatedAt),
            ["updated_at"] = Stamp(order.UpdatedAt),
            ["test_mode"] = true,
        };
    }

    private JsonObject SubscriptionAttributesOf(LsSubscription sub)
    {
        var v = sub.Variant;
        var portal = $"{BaseUrl}billing?expires={Now.AddDays(1).ToUnixTimeSeconds()}&signature={PageSignature($"portal:{sub.Order.CustomerId}")}";
        return new JsonObject
        {
            ["store_id"] = int.Parse(StoreId, CultureInfo.InvariantCulture),
            ["customer_id"] = sub.Order.CustomerId,
            ["order_id"] = sub.Order.Id,
            ["order_item_id"] = sub.Order.ItemId,
            ["product_id"] = v.ProductId,
            ["variant_id"] = int.Parse(v.Id, CultureInfo.InvariantCulture),
            ["product_name"] = v.ProductName,
            ["variant_name"] = v.Name,
            ["user_name"] = sub.Order.UserName,
            ["user_email"] = sub.Order.UserEmail,
            ["status"] = sub.Status,
            ["status_formatted"] = sub.Status == "past_due" ? "Past due" : CultureInfo.InvariantCulture.TextInfo.ToTitleCase(sub.Status),
            ["card_brand"] = "visa",
            ["card_last_four"] = "4242",
            ["payment_processor"] = "stripe",
            ["pause"] = null,
            ["cancelled"] = sub.Cancelled,
            ["trial_ends_at"] = null,
            ["billing_anchor"] = sub.CreatedAt.Day,
            ["first_subscription_item"] = new JsonObject
            {
                ["id"] = sub.Order.ItemId,
                ["subscription_id"] = sub.Id,
                ["price_id"] = int.Parse(v.Id, CultureInfo.InvariantCulture) * 10,
                ["quantity"] = 1,
                ["created_at"] = Stamp(sub.CreatedAt),
                ["updated_at"] = Stamp(sub.UpdatedAt),
            },
            ["urls"] = new JsonObject
            {
                ["update_payment_method"] = portal,
                ["customer_portal"] = portal,
                ["customer_portal_update_subscription"] = portal,
            },
            ["renews_at"] = Stamp(sub.RenewsAt),
            ["ends_at"] = StampOrNull(sub.EndsAt),
            ["created_at"] = Stamp(sub.CreatedAt),
            ["updated_at"] = Stamp(sub.UpdatedAt),
            ["test_mode"] = true,
        };
    }

    private static string Money(int cents) => string.Create(CultureInfo.InvariantCulture, $"${cents / 100m:0.00}");
}
