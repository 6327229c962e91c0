using System.Net.Http.Headers;
using System.Text.Json.Nodes;

using Microsoft.Extensions.Options;

using Pingvas.Server.Hosting;

namespace Pingvas.Server.Billing.Stripe;

/// <summary>
/// Stripe's REST API (https://docs.stripe.com/api), form-encoded with Stripe's bracket notation:
/// Checkout Sessions carry our user id as <c>client_reference_id</c> and <c>metadata[user_id]</c>
/// (and on the subscription and payment they create, so later events name the user too).
/// </summary>
public sealed class StripeClient(HttpClient http, IOptions<BillingOptions> billing, IOptions<AppOptions> app, ILogger<StripeClient> logger)
    : IBillingProvider
{
    public const string ProviderName = "stripe";

    private readonly StripeOptions options = billing.Value.Stripe;

    public string Name => ProviderName;

    public async Task<Uri> CreateCheckoutAsync(BillingCustomer customer, BillingProduct product, CancellationToken ct)
    {
        var price = BillingCatalog.For(billing.Value).IdOf(product)
            ?? throw new ArgumentException($"The product {product} is not on sale.", nameof(product));
        var userId = customer.UserId.ToString();
        var form = new List<KeyValuePair<string, string>>
        {
            new("mode", product.IsTopUp ? "payment" : "subscription"),
            new("line_items[0][price]", price),
            new("line_items[0][quantity]", "1"),
            // Stripe replaces the literal {CHECKOUT_SESSION_ID}; it must not be escaped in the URL itself.
            new("success_url", app.Value.Link("/billing/return").AbsoluteUri + "?session_id={CHECKOUT_SESSION_ID}"),
            new("cancel_url", app.Value.Link("/billing").AbsoluteUri),
            new("client_reference_id", userId),
            new("customer_email", customer.Email),
            new("metadata[user_id]", userId),
            new("metadata[price_id]", price),
        };
        if (product.IsTopUp)
        {
            // charge.refunded carries the payment intent's metadata, not the session's.
            form.Add(new("payment_intent_data[metadata][user_id]", userId));
            form.Add(new("payment_intent_data[metadata][price_id]", price));
        }
        else
        {
            form.Add(new("subscription_data[metadata][user_id]", userId));
        }

        var session = await SendAsync(HttpMethod.Post, "v1/checkout/sessions", form, ct);
        return BillingHttpClient.RequireUrl(session, "Stripe", "url");
    }

    public async Task ChangePlanAsync(string subscriptionId, BillingProduct product, CancellationToken ct)
    {
        if (product.IsTopUp)
        {
            throw new ArgumentException("A subscription changes to a plan, not a top-up.", nameof(product));
        }

        var price = BillingCatalog.For(billing.Value).IdOf(product)
            ?? throw new ArgumentException($"The product {product} is not on sale.", nameof(product));
        // Swapping the price of the one subscription item keeps the subscription (and its period).
        var subscription = await SendAsync(HttpMethod.Get, SubscriptionPath(subscriptionId), null, ct);
        var item = subscription["items"]?["data"] is JsonArray { Count: > 0 } items ? items[0] : null;
        var itemId = item is null ? null : BillingHttpClient.RequireString(item, "Stripe", "id");
        if (itemId is null)
        {
            throw new BillingProviderException("Stripe's subscription has no items.");
        }

        await SendAsync(HttpMethod.Post, SubscriptionPath(subscriptionId),
        [
            new("items[0][id]", itemId),
            new("items[0][price]", price),
            new("proration_behavior", "create_prorations"),
            new("metadata[price_id]", price),
        ], ct);
    }

    public Task CancelAsync(string subscriptionId, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, SubscriptionPath(subscriptionId), [new("cancel_at_period_end", "true")], ct);

    public Task ResumeAsync(string subscriptionId, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, SubscriptionPath(subscriptionId), [new("cancel_at_period_end", "false")], ct);

    public async Task<Uri> PortalUrlAsync(string subscriptionId, string? customerId, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(customerId))
        {
            var subscription = await SendAsync(HttpMethod.Get, SubscriptionPath(subscriptionId), null, ct);
            customerId = BillingHttpClient.RequireString(subscription, "Stripe", "customer");
        }

        var session = await SendAsync(HttpMethod.Post, "v1/billing_portal/sessions",
        [
            new("customer", customerId),
            new("return_url", app.Value.Link("/billing").AbsoluteUri),
        ], ct);
        return BillingHttpClient.RequireUrl(session, "Stripe", "url");
    }

    private static string SubscriptionPath(string subscriptionId) => $"v1/subscriptions/{Uri.EscapeDataString(subscriptionId)}";

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, List<KeyValuePair<string, string>>? form, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.SecretKey);
        if (form is not null)
        {
            request.Content = new FormUrlEncodedContent(form);
        }

        return await BillingHttpClient.SendAsync(http, request, "Stripe", DescribeError, options.SecretKey, logger, ct);
    }

    /// <summary>Stripe's errors: <c>{"error":{"type","code","message"}}</c>.</summary>
    private static string DescribeError(JsonNode? body)
    {
        var error = body?["error"];
        return error is null ? "no error details" : $"{Text(error["type"])}/{Text(error["code"])}: {Text(error["message"])}";
    }

    private static string Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
}
