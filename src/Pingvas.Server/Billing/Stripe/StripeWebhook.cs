using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Pingvas.Server.Billing.Stripe;

/// <summary>
/// Stripe webhooks: the <c>Stripe-Signature</c> header (<c>t=…,v1=…[,v1=…]</c>, HMAC-SHA256 of
/// <c>"{t}.{raw body}"</c> with the endpoint's signing secret, refused when <c>t</c> is older than
/// the tolerance, as Stripe's own libraries do) and the events we act on. Fields are read from
/// both the pre-2025 API shape and the current one (subscription items carry the period; invoices
/// name their subscription under <c>parent.subscription_details</c>).
/// </summary>
public static class StripeWebhook
{
    public const string Provider = "stripe";

    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static bool Verify(string secret, ReadOnlySpan<byte> body, string? header, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(header))
        {
            return false;
        }

        long? timestamp = null;
        var signatures = new List<byte[]>();
        foreach (var part in header.Split(','))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            var (key, value) = (part[..eq].Trim(), part[(eq + 1)..].Trim());
            if (key == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                timestamp = t;
            }
            else if (key == "v1" && value.Length == 64)
            {
                try
                {
                    signatures.Add(Convert.FromHexString(value));
                }
                catch (FormatException)
                {
                }
            }
        }

        if (timestamp is not { } ts || signatures.Count == 0 || ts < now.ToUnixTimeSeconds() - (long)Tolerance.TotalSeconds)
        {
            return false;
        }

        var prefix = Encoding.UTF8.GetBytes($"{ts.ToString(CultureInfo.InvariantCulture)}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
        var match = false;
        foreach (var given in signatures)
        {
            // Every candidate is compared in full: no early exit that would time the secret.
            match |= CryptographicOperations.FixedTimeEquals(expected, given);
        }

        return match;
    }

    /// <summary>The event, or null when the body is not a Stripe event.</summary>
    public static WebhookEvent? Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || root.Str("id") is not { Length: > 0 } id || root.Str("type") is not { Length: > 0 } type
            || root.Get("data", "object") is not { ValueKind: JsonValueKind.Object } o)
        {
            return null;
        }

        var created = root.Unix("created") ?? DateTime.UnixEpoch;
        var userId = WebhookJson.UserId(o.Str("client_reference_id"))
            ?? WebhookJson.UserId(o.Str("metadata", "user_id"))
            ?? WebhookJson.UserId(o.Str("subscription_details", "metadata", "user_id"))
            ?? WebhookJson.UserId(o.Str("parent", "subscription_details", "metadata", "user_id"))
            ?? WebhookJson.UserId(FirstLine(o)?.Str("metadata", "user_id"));
        return new WebhookEvent(Provider, id, type, userId, Change(type, o, created));
    }

    private static BillingChange? Change(string type, JsonElement o, DateTime created)
    {
        switch (type)
        {
            case "checkout.session.completed" when o.Str("mode") == "subscription" && o.Str("subscription") is { } subscription:
                // The period comes with the first invoice; until then a provisional one from the interval.
                return new SubscriptionState(subscription, o.Str("customer"), o.Str("metadata", "price_id"), SubscriptionStatus.Active, false, null, null, created);

            case "checkout.session.completed" when o.Str("mode") == "payment" && o.Str("payment_status") == "paid":
                return new OrderPaid(OrderRef(o.Str("payment_intent") ?? o.Str("id")!), o.Str("metadata", "price_id"), o.Int("amount_total"), Currency(o), created);

            case "invoice.paid" or "invoice.payment_failed":
                var line = FirstLine(o);
                var reason = o.Str("billing_reason") switch
                {
                    "subscription_create" => PaymentReason.Initial,
                    "subscription_cycle" => PaymentReason.Renewal,
                    _ => PaymentReason.Update,
                };
                var sub = o.Str("subscription") ?? o.Str("parent", "subscription_details", "subscription");
                var paid = type == "invoice.paid";
                return sub is null
                    ? null
                    : new SubscriptionPayment(sub, o.Str("customer"), $"invoice:{o.Str("id")}", reason, paid,
                        paid ? o.Int("amount_paid") : o.Int("amount_due"), Currency(o),
                        line?.Str("price", "id") ?? line?.Str("pricing", "price_details", "price"),
                        line?.Unix("period", "start"), line?.Unix("period", "end"), created);

            case "customer.subscription.updated" or "customer.subscription.deleted":
                var item = o.Get("items", "data") is { ValueKind: JsonValueKind.Array } items && items.GetArrayLength() > 0 ? items[0] : (JsonElement?)null;
                var status = type == "customer.subscription.deleted" ? SubscriptionStatus.Expired : o.Str("status") switch
                {
                    "past_due" or "unpaid" => SubscriptionStatus.PastDue,
                    "paused" => SubscriptionStatus.Paused,
                    "canceled" or "incomplete_expired" => SubscriptionStatus.Expired,
                    _ => SubscriptionStatus.Active, // active, trialing, incomplete
                };
                var periodEnd = o.Unix("current_period_end") ?? item?.Unix("current_period_end");
                return new SubscriptionState(o.Str("id")!, o.Str("customer"), item?.Str("price", "id"), status, o.Bool("cancel_at_period_end"),
                    periodEnd, o.Unix("cancel_at") ?? (o.Bool("cancel_at_period_end") ? periodEnd : null), created);

            case "charge.refunded" when o.Str("payment_intent") is { } intent:
                return new OrderRefunded(OrderRef(intent), $"refund:{o.Str("id")}:{o.Long("amount_refunded")}", o.Int("amount_refunded"), Currency(o), created);

            default:
                return null;
        }
    }

    public static string OrderRef(string paymentIntentOrSession) => $"{Provider}:{paymentIntentOrSession}";

    private static JsonElement? FirstLine(JsonElement o) =>
        o.Get("lines", "data") is { ValueKind: JsonValueKind.Array } lines && lines.GetArrayLength() > 0 ? lines[0] : null;

    private static string Currency(JsonElement o) => (o.Str("currency") ?? "usd").ToUpperInvariant();
}
