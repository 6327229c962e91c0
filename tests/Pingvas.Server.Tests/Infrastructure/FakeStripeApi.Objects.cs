using System.Text;
using System.Text.Json.Nodes;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>Stripe's objects as its API documents them, and signed event delivery.</summary>
public sealed partial class FakeStripeApi
{
    private JsonObject SessionObject(StripeSession session)
    {
        var metadata = new JsonObject();
        foreach (var (key, value) in session.Form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal)))
        {
            metadata[key["metadata[".Length..^1]] = value;
        }

        return new JsonObject
        {
            ["id"] = session.Id,
            ["object"] = "checkout.session",
            ["amount_subtotal"] = session.Price.UnitAmount,
            ["amount_total"] = session.Price.UnitAmount,
            ["cancel_url"] = session.Form.GetValueOrDefault("cancel_url"),
            ["client_reference_id"] = session.Form.GetValueOrDefault("client_reference_id"),
            ["created"] = session.Created,
            ["currency"] = "usd",
            ["customer"] = session.Customer,
            ["customer_email"] = session.Form.GetValueOrDefault("customer_email"),
            ["expires_at"] = session.Created + 24 * 3600,
            ["livemode"] = false,
            ["metadata"] = metadata,
            ["mode"] = session.Mode,
            ["payment_intent"] = session.PaymentIntent,
            ["payment_status"] = session.Status == "complete" ? "paid" : "unpaid",
            ["status"] = session.Status,
            ["subscription"] = session.Subscription,
            ["success_url"] = session.Form.GetValueOrDefault("success_url"),
            ["url"] = session.Status == "open" ? $"{BaseUrl}c/pay/{session.Id}" : null,
        };
    }

    private JsonObject SubscriptionObject(StripeSubscription sub) => new()
    {
        ["id"] = sub.Id,
        ["object"] = "subscription",
        ["cancel_at"] = sub.CancelAtPeriodEnd ? sub.PeriodEnd : null,
        ["cancel_at_period_end"] = sub.CancelAtPeriodEnd,
        ["canceled_at"] = null,
        ["created"] = sub.Created,
        ["currency"] = "usd",
        ["customer"] = sub.Customer,
        ["items"] = new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(new JsonObject
            {
                ["id"] = sub.ItemId,
                ["object"] = "subscription_item",
                ["current_period_end"] = sub.PeriodEnd,
                ["current_period_start"] = sub.PeriodStart,
                ["price"] = PriceObject(sub.Price),
                ["quantity"] = 1,
                ["subscription"] = sub.Id,
            }),
            ["has_more"] = false,
            ["total_count"] = 1,
            ["url"] = $"/v1/subscription_items?subscription={sub.Id}",
        },
        ["livemode"] = false,
        ["metadata"] = sub.Metadata.DeepClone(),
        ["start_date"] = sub.Created,
        ["status"] = sub.Status,
    };

    private static JsonObject PriceObject(FakeStripePrice price) => new()
    {
        ["id"] = price.Id,
        ["object"] = "price",
        ["active"] = true,
        ["currency"] = "usd",
        ["livemode"] = false,
        ["product"] = "prod_" + price.ProductName.Replace(",", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal),
        ["recurring"] = price.Interval is { } interval ? new JsonObject { ["interval"] = interval, ["interval_count"] = 1 } : null,
        ["type"] = price.IsRecurring ? "recurring" : "one_time",
        ["unit_amount"] = price.UnitAmount,
    };

    private JsonObject InvoiceObject(StripeSubscription sub, string reason) => new()
    {
        ["id"] = "in_" + RandomId(24),
        ["object"] = "invoice",
        ["amount_due"] = sub.Price.UnitAmount,
        ["amount_paid"] = sub.Price.UnitAmount,
        ["billing_reason"] = reason,
        ["created"] = Unix,
        ["currency"] = "usd",
        ["customer"] = sub.Customer,
        ["lines"] = new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(new JsonObject
            {
                ["id"] = "il_" + RandomId(24),
                ["object"] = "line_item",
                ["amount"] = sub.Price.UnitAmount,
                ["period"] = new JsonObject { ["start"] = sub.PeriodStart, ["end"] = sub.PeriodEnd },
                ["pricing"] = new JsonObject { ["price_details"] = new JsonObject { ["price"] = sub.Price.Id } },
            }),
            ["has_more"] = false,
        },
        ["livemode"] = false,
        ["parent"] = new JsonObject
        {
            ["type"] = "subscription_details",
            ["subscription_details"] = new JsonObject { ["subscription"] = sub.Id, ["metadata"] = sub.Metadata.DeepClone() },
        },
        ["period_end"] = sub.PeriodEnd,
        ["period_start"] = sub.PeriodStart,
        ["status"] = "paid",
        ["total"] = sub.Price.UnitAmount,
    };

    /// <summary>An event as Stripe sends it, signed with <see cref="WebhookSecret"/> at the fake's current time.</summary>
    private async Task<FakeWebhookDelivery> DeliverAsync(string type, JsonObject data, JsonObject? previous = null)
    {
        var dataObject = new JsonObject { ["object"] = data };
        if (previous is not null)
        {
            dataObject["previous_attributes"] = previous;
        }

        var body = new JsonObject
        {
            ["id"] = "evt_" + RandomId(24),
            ["object"] = "event",
            ["api_version"] = "2025-08-27.basil",
            ["created"] = Unix,
            ["data"] = dataObject,
            ["livemode"] = false,
            ["pending_webhooks"] = 1,
            ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
            ["type"] = type,
        }.ToJsonString();
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Content-Type"] = "application/json; charset=utf-8",
            ["Stripe-Signature"] = SignatureHeader(body, Unix),
        };
        int? status = null;
        if (WebhookUrl is { } url)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Stripe-Signature", headers["Stripe-Signature"]);
            try
            {
                using var response = await webhookClient.SendAsync(request);
                status = (int)response.StatusCode;
            }
            catch (HttpRequestException)
            {
                status = 0;
            }
        }

        var delivery = new FakeWebhookDelivery(type, body, headers, status);
        deliveries.Enqueue(delivery);
        return delivery;
    }
}
