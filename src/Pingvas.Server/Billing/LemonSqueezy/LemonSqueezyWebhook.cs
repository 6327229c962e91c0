using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Pingvas.Server.Billing.LemonSqueezy;

/// <summary>
/// Lemon Squeezy webhooks: the signature (X-Signature = hex HMAC-SHA256 of the raw body with the
/// webhook's signing secret) and the events we act on. Payload: <c>meta.event_name</c>,
/// <c>meta.custom_data.user_id</c> (set by our checkout), <c>data</c> = the subscription,
/// subscription invoice or order the event is about.
/// </summary>
public static class LemonSqueezyWebhook
{
    public const string Provider = "lemonsqueezy";

    public static bool Verify(string secret, ReadOnlySpan<byte> body, string? signature)
    {
        if (string.IsNullOrEmpty(signature) || signature.Length != 64)
        {
            return false;
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(signature);
        }
        catch (FormatException)
        {
            return false;
        }

        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>The event, or null when the body is not a Lemon Squeezy event.</summary>
    public static WebhookEvent? Parse(ReadOnlySpan<byte> body, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || root.Str("meta", "event_name") is not { Length: > 0 } name
            || root.Get("data") is not { ValueKind: JsonValueKind.Object } data)
        {
            return null;
        }

        var userId = WebhookJson.UserId(root.Str("meta", "custom_data", "user_id"));
        return new WebhookEvent(Provider, EventId(name, data, body), name, userId, Change(name, data));
    }

    /// <summary>
    /// Lemon Squeezy sends no event id. A retry re-sends the same event about the same object
    /// state, and every change of an object moves its <c>updated_at</c>, so the event name, the
    /// object's type and id and its <c>updated_at</c> name one event, even if a retry's JSON were
    /// formatted differently. Without <c>updated_at</c>, the SHA-256 of the raw body.
    /// </summary>
    private static string EventId(string name, JsonElement data, ReadOnlySpan<byte> body) =>
        data.Str("attributes", "updated_at") is { } updated && data.Str("id") is { } id
            ? $"{name}:{data.Str("type")}:{id}:{updated}"
            : $"{name}:sha256:{Convert.ToHexStringLower(SHA256.HashData(body))}";

    private static BillingChange? Change(string name, JsonElement data)
    {
        var a = data.Get("attributes") ?? default;
        var id = data.Str("id") ?? "";
        var at = a.Time("updated_at") ?? a.Time("created_at") ?? DateTime.UnixEpoch;
        switch (name)
        {
            case "subscription_created" or "subscription_updated" or "subscription_cancelled" or "subscription_resumed"
                or "subscription_expired" or "subscription_paused" or "subscription_unpaused":
                var status = a.Str("status") switch
                {
                    "past_due" or "unpaid" => SubscriptionStatus.PastDue,
                    "paused" => SubscriptionStatus.Paused,
                    "expired" => SubscriptionStatus.Expired,
                    _ => SubscriptionStatus.Active, // on_trial, active, cancelled (active until ends_at)
                };
                var cancelled = a.Bool("cancelled") || a.Str("status") == "cancelled";
                return new SubscriptionState(id, a.Str("customer_id"), a.Str("variant_id"), status, cancelled,
                    a.Time("renews_at") ?? a.Time("ends_at"), a.Time("ends_at"), at);

            case "subscription_payment_success" or "subscription_payment_recovered" or "subscription_payment_failed":
                var reason = a.Str("billing_reason") switch
                {
                    "initial" => PaymentReason.Initial,
                    "updated" => PaymentReason.Update,
                    _ => PaymentReason.Renewal,
                };
                return new SubscriptionPayment(a.Str("subscription_id") ?? "", a.Str("customer_id"), $"invoice:{id}", reason,
                    name != "subscription_payment_failed", a.Int("total"), Currency(a), null, null, null, at);

            case "order_created":
                return a.Str("status") == "paid"
                    ? new OrderPaid(OrderRef(id), a.Str("first_order_item", "variant_id"), a.Int("total"), Currency(a), at)
                    : null;

            case "order_refunded":
                var refunded = a.Int("refunded_amount") is > 0 and var r ? r : a.Int("total");
                return new OrderRefunded(OrderRef(id), $"refund:order:{id}:{a.Str("refunded_at") ?? a.Str("updated_at")}", refunded, Currency(a), a.Time("refunded_at") ?? at);

            default:
                return null;
        }
    }

    public static string OrderRef(string orderId) => $"{Provider}:order:{orderId}";

    private static string Currency(JsonElement a) => (a.Str("currency") ?? "USD").ToUpperInvariant();
}
