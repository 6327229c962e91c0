using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

using Microsoft.Extensions.Options;

using Pingvas.Server.Hosting;

namespace Pingvas.Server.Billing.LemonSqueezy;

/// <summary>
/// Lemon Squeezy's REST API (JSON:API, https://docs.lemonsqueezy.com/api): hosted checkouts with our
/// user id in <c>checkout_data.custom.user_id</c> (it comes back as <c>meta.custom_data.user_id</c> in
/// every webhook), and the subscription calls behind plan changes, cancel, resume and the portal.
/// </summary>
public sealed class LemonSqueezyClient(HttpClient http, IOptions<BillingOptions> billing, IOptions<AppOptions> app, ILogger<LemonSqueezyClient> logger)
    : IBillingProvider
{
    public const string ProviderName = "lemonsqueezy";

    private const string MediaType = "application/vnd.api+json";

    private readonly LemonSqueezyOptions options = billing.Value.LemonSqueezy;

    public string Name => ProviderName;

    public async Task<Uri> CreateCheckoutAsync(BillingCustomer customer, BillingProduct product, CancellationToken ct)
    {
        var variant = BillingCatalog.For(billing.Value).IdOf(product)
            ?? throw new ArgumentException($"The product {product} is not on sale.", nameof(product));
        var body = new JsonObject
        {
            ["data"] = new JsonObject
            {
                ["type"] = "checkouts",
                ["attributes"] = new JsonObject
                {
                    ["checkout_data"] = new JsonObject
                    {
                        ["email"] = customer.Email,
                        ["name"] = customer.Name,
                        ["custom"] = new JsonObject { ["user_id"] = customer.UserId.ToString() },
                    },
                    ["product_options"] = new JsonObject
                    {
                        ["redirect_url"] = app.Value.Link("/billing/return").AbsoluteUri,
                    },
                },
                ["relationships"] = new JsonObject
                {
                    ["store"] = Relationship("stores", options.StoreId!),
                    ["variant"] = Relationship("variants", variant),
                },
            },
        };
        var answer = await SendAsync(HttpMethod.Post, "v1/checkouts", body, ct);
        return BillingHttpClient.RequireUrl(answer, "Lemon Squeezy", "data", "attributes", "url");
    }

    public async Task ChangePlanAsync(string subscriptionId, BillingProduct product, CancellationToken ct)
    {
        if (product.IsTopUp)
        {
            throw new ArgumentException("A subscription changes to a plan, not a top-up.", nameof(product));
        }

        var variant = BillingCatalog.For(billing.Value).IdOf(product)
            ?? throw new ArgumentException($"The product {product} is not on sale.", nameof(product));
        // Lemon Squeezy prorates by default; the change shows up as a subscription_updated webhook.
        await UpdateSubscriptionAsync(subscriptionId, new JsonObject { ["variant_id"] = Id(variant) }, ct);
    }

    /// <summary>DELETE cancels at the end of the period: the subscription stays active until <c>ends_at</c>.</summary>
    public Task CancelAsync(string subscriptionId, CancellationToken ct) =>
        SendAsync(HttpMethod.Delete, $"v1/subscriptions/{Escape(subscriptionId)}", null, ct);

    public Task ResumeAsync(string subscriptionId, CancellationToken ct) =>
        UpdateSubscriptionAsync(subscriptionId, new JsonObject { ["cancelled"] = false }, ct);

    /// <summary>The subscription's pre-signed <c>urls.customer_portal</c> (valid for 24 hours, so fetched each time).</summary>
    public async Task<Uri> PortalUrlAsync(string subscriptionId, string? customerId, CancellationToken ct)
    {
        var answer = await SendAsync(HttpMethod.Get, $"v1/subscriptions/{Escape(subscriptionId)}", null, ct);
        return BillingHttpClient.RequireUrl(answer, "Lemon Squeezy", "data", "attributes", "urls", "customer_portal");
    }

    private Task<JsonNode> UpdateSubscriptionAsync(string subscriptionId, JsonObject attributes, CancellationToken ct) =>
        SendAsync(HttpMethod.Patch, $"v1/subscriptions/{Escape(subscriptionId)}", new JsonObject
        {
            ["data"] = new JsonObject
            {
                ["type"] = "subscriptions",
                ["id"] = subscriptionId,
                ["attributes"] = attributes,
            },
        }, ct);

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaType));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(MediaType);
        }

        return await BillingHttpClient.SendAsync(http, request, "Lemon Squeezy", DescribeError, options.ApiKey, logger, ct);
    }

    /// <summary>JSON:API errors: <c>{"errors":[{"status","title","detail"}]}</c>.</summary>
    private static string DescribeError(JsonNode? body)
    {
        var first = body?["errors"] is JsonArray { Count: > 0 } errors ? errors[0] : null;
        return first is null ? "no error details" : $"{Text(first["title"])}: {Text(first["detail"])}";
    }

    private static string Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    private static JsonObject Relationship(string type, string id) =>
        new() { ["data"] = new JsonObject { ["type"] = type, ["id"] = id } };

    /// <summary>Lemon Squeezy ids are integers in attributes (strings only in JSON:API's <c>id</c> members).</summary>
    private static JsonNode Id(string id) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? JsonValue.Create(n) : JsonValue.Create(id);

    private static string Escape(string id) => Uri.EscapeDataString(id);
}
