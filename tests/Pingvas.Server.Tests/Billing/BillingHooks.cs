using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Billing;

public sealed record ReceiptBody(bool Received, bool Duplicate);

public sealed record BillingBody(string? Provider, BillingPlanBody Plan, BillingSubscriptionBody? Subscription, BillingProductsBody Products, List<BillingPaymentBody> Payments);

public sealed record BillingPlanBody(string Id, string Name);

public sealed record BillingSubscriptionBody(
    string Status, string PlanId, string Interval, DateTime? RenewsAt, DateTime? EndsAt, bool CancelAtPeriodEnd, DateTime? GraceUntil, string? PendingPlanId, string? PendingInterval);

public sealed record BillingProductsBody(List<BillingProductPlanBody> Plans, List<int> TopUps);

public sealed record BillingProductPlanBody(string PlanId, string Interval);

public sealed record BillingPaymentBody(DateTime At, string Kind, string Description, int Amount, string Currency, string Status);

/// <summary>
/// Webhooks as the providers send them: Lemon Squeezy events signed with its documented HMAC
/// (hex HMAC-SHA256 of the raw body in X-Signature), Stripe events signed by the stripe package.
/// The product ids are the ones <see cref="Settings"/> configures.
/// </summary>
public static class BillingHooks
{
    public const string LsSecret = "ls-signing-secret-for-tests";
    public const string StripeSecret = "whsec_test_secret_for_tests";

    // Lemon Squeezy variant ids and Stripe price ids of our products.
    public const int LsStarterMonthly = 101;
    public const int LsProMonthly = 102;
    public const int LsStudioMonthly = 103;
    public const int LsStarterAnnual = 111;
    public const int LsTopUp1000 = 201;
    public const int LsTopUp5000 = 202;

    public static TestSettings Settings(bool lemonSqueezy = true, bool stripe = true)
    {
        var s = new TestSettings().With("Billing:GraceDays", "7");
        if (lemonSqueezy)
        {
            s = s.With("Billing:LemonSqueezy:SigningSecret", LsSecret)
                .With("Billing:LemonSqueezy:Variants:starter_monthly", $"{LsStarterMonthly}")
                .With("Billing:LemonSqueezy:Variants:pro_monthly", $"{LsProMonthly}")
                .With("Billing:LemonSqueezy:Variants:studio_monthly", $"{LsStudioMonthly}")
                .With("Billing:LemonSqueezy:Variants:starter_annual", $"{LsStarterAnnual}")
                .With("Billing:LemonSqueezy:TopUps:1000", $"{LsTopUp1000}")
                .With("Billing:LemonSqueezy:TopUps:5000", $"{LsTopUp5000}")
                .With("Billing:LemonSqueezy:TopUps:20000", "203");
        }

        if (stripe)
        {
            s = s.With("Billing:Stripe:WebhookSecret", StripeSecret)
                .With("Billing:Stripe:Prices:starter_monthly", "price_starter_m")
                .With("Billing:Stripe:Prices:pro_monthly", "price_pro_m")
                .With("Billing:Stripe:TopUps:1000", "price_topup_1000")
                .With("Billing:Stripe:TopUps:5000", "price_topup_5000");
        }

        return s;
    }

    public static string LsSign(string body, string secret = LsSecret) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    public static async Task<HttpResponseMessage> PostLsAsync(this PingvasServer server, string body, string? signature = "sign")
    {
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/lemonsqueezy") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (signature is not null)
        {
            request.Headers.Add("X-Signature", signature == "sign" ? LsSign(body) : signature);
        }

        if (EventName(body) is { } name)
        {
            request.Headers.Add("X-Event-Name", name);
        }

        return await client.SendAsync(request);
    }

    private static string? EventName(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["meta"]?["event_name"]?.GetValue<string>();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Posts a Lemon Squeezy event and expects it accepted; returns whether it was a duplicate.</summary>
    public static async Task<bool> LsAsync(this PingvasServer server, JsonObject e)
    {
        var response = await server.PostLsAsync(e.ToJsonString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<ReceiptBody>(text, Json.Options)!.Duplicate;
    }

    public static async Task<HttpResponseMessage> PostStripeAsync(this PingvasServer server, string body, string? header)
    {
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/stripe") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation("Stripe-Signature", header);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Posts a Stripe event signed by the stripe package at the server's time; expects it accepted.</summary>
    public static async Task<bool> StripeAsync(this PingvasServer server, JsonObject e)
    {
        var body = e.ToJsonString();
        var response = await server.PostStripeAsync(body, await StripeSigner.HeaderAsync(body, StripeSecret, server.Time.GetUtcNow()));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<ReceiptBody>(text, Json.Options)!.Duplicate;
    }

    public static async Task<BillingBody> BillingAsync(this TestUser user) =>
        (await user.Client.GetFromJsonAsync<BillingBody>("/api/v1/billing", Json.Options))!;

    public static Task<int> EventCountAsync(this PingvasServer server) => server.QueryAsync(db => db.BillingEvents.CountAsync());

    /// <summary>The kinds of the emails queued for a user, oldest first.</summary>
    public static async Task<List<(string Kind, Dictionary<string, string> Data)>> EmailsAsync(this PingvasServer server, Guid userId)
    {
        var payloads = await server.QueryAsync(db => db.Outbox.Where(m => m.Topic == "email" && m.UserId == userId).OrderBy(m => m.Id).Select(m => m.Payload).ToListAsync());
        return [.. payloads.Select(p => JsonSerializer.Deserialize<EmailBody>(p, JsonSerializerOptions.Web)!).Select(e => (e.Kind, e.Data))];
    }

    private sealed record EmailBody(string Kind, Guid UserId, Dictionary<string, string> Data);

    public static string Iso(DateTime t) => t.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.000000Z", System.Globalization.CultureInfo.InvariantCulture);
}
