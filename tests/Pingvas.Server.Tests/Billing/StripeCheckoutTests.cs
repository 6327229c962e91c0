using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Billing;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Billing;

/// <summary>Our server configured for Stripe on a local fake of its API, whose events go to a recording sink.</summary>
public sealed class StripeCheckoutServer : IAsyncLifetime
{
    public const string PublicUrl = "https://studio.example.com";

    public FakeStripeApi Api { get; private set; } = null!;

    public WebhookSink Sink { get; private set; } = null!;

    public PingvasServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Api = await FakeStripeApi.StartAsync();
        Sink = await WebhookSink.StartAsync();
        Server = await PingvasServer.StartAsync(Api.Settings().With("App:PublicUrl", PublicUrl));
        Api.WebhookUrl = Sink.Url;
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Sink.DisposeAsync();
        await Api.DisposeAsync();
    }
}

/// <summary>
/// POST /api/v1/billing/checkout with Stripe: the Checkout Session our server creates carries exactly
/// the documented form fields (mode, price, our user id as client_reference_id and metadata, the
/// return URLs), paying it sends signed events, and the subscription calls use Stripe's shapes.
/// </summary>
public sealed class StripeCheckoutTests(StripeCheckoutServer fixture) : IClassFixture<StripeCheckoutServer>
{
    private readonly FakeStripeApi api = fixture.Api;
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task A_plan_checkout_session_has_the_documented_form_fields_and_its_url_is_returned()
    {
        var user = await server.RegisterAsync();

        var url = await CheckoutAsync(user, new { plan = "pro", interval = "monthly" });

        var call = SessionCallOf(user);
        Assert.Equal(200, call.Status);
        Assert.Equal($"Bearer {api.SecretKey}", call.Header("Authorization"));
        Assert.StartsWith("application/x-www-form-urlencoded", call.Header("Content-Type"));
        var id = user.Id.ToString();
        var expected = new Dictionary<string, string>
        {
            ["mode"] = "subscription",
            ["line_items[0][price]"] = api.Products["pro_monthly"].Id,
            ["line_items[0][quantity]"] = "1",
            ["success_url"] = $"{StripeCheckoutServer.PublicUrl}/billing/return?session_id={{CHECKOUT_SESSION_ID}}",
            ["cancel_url"] = $"{StripeCheckoutServer.PublicUrl}/billing",
            ["client_reference_id"] = id,
            ["customer_email"] = user.Email,
            ["metadata[user_id]"] = id,
            ["metadata[price_id]"] = api.Products["pro_monthly"].Id,
            ["subscription_data[metadata][user_id]"] = id,
        };
        Assert.Equal(expected.OrderBy(f => f.Key, StringComparer.Ordinal), call.Form.OrderBy(f => f.Key, StringComparer.Ordinal));
        Assert.StartsWith($"{api.BaseUrl}c/pay/cs_test_", url.AbsoluteUri);
        using var browser = new HttpClient();
        Assert.Contains(">Pay</button>", await browser.GetStringAsync(url));
    }

    [Fact]
    public async Task A_top_up_is_a_payment_mode_session_whose_payment_carries_our_user_id()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "studio");

        await CheckoutAsync(user, new { topUp = 20000 });

        var form = SessionCallOf(user).Form;
        Assert.Equal("payment", form["mode"]);
        Assert.Equal(api.Products["topup_20000"].Id, form["line_items[0][price]"]);
        Assert.Equal(user.Id.ToString(), form["payment_intent_data[metadata][user_id]"]);
        Assert.Equal(api.Products["topup_20000"].Id, form["payment_intent_data[metadata][price_id]"]);
        Assert.DoesNotContain(form.Keys, k => k.StartsWith("subscription_data", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Paying_sends_signed_checkout_and_invoice_events_naming_our_user_and_returns_with_the_session_id()
    {
        var user = await server.RegisterAsync();
        var url = await CheckoutAsync(user, new { plan = "starter", interval = "monthly" });

        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var paid = await browser.PostAsync(url, new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
        var sessionId = url.Segments[^1];
        Assert.Equal($"{StripeCheckoutServer.PublicUrl}/billing/return?session_id={sessionId}", paid.Headers.Location!.AbsoluteUri);
        var events = fixture.Sink.Received.Where(e => EventUser(e) == user.Id.ToString()).ToList();
        Assert.Equal(["checkout.session.completed", "invoice.paid"], events.Select(e => (string?)e.Json["type"]));
        Assert.All(events, e =>
        {
            var header = e.Headers["Stripe-Signature"];
            var t = long.Parse(header.Split(',')[0]["t=".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(api.SignatureHeader(e.Body, t), header);
            Assert.StartsWith("evt_", (string?)e.Json["id"]);
        });
        var session = events[0].Json["data"]!["object"]!;
        Assert.Equal((sessionId, "complete", "paid", "subscription"),
            ((string?)session["id"], (string?)session["status"], (string?)session["payment_status"], (string?)session["mode"]));
        Assert.StartsWith("sub_", (string?)session["subscription"]);
        Assert.StartsWith("cus_", (string?)session["customer"]);
        var subscription = api.Subscription((string)session["subscription"]!);
        Assert.Equal(user.Id.ToString(), (string?)subscription["metadata"]!["user_id"]);
        Assert.Equal(api.Products["starter_monthly"].Id, (string?)subscription["items"]!["data"]![0]!["price"]!["id"]);
    }

    [Fact]
    public async Task The_subscription_calls_change_the_price_cancel_resume_and_open_the_portal_as_documented()
    {
        var user = await server.RegisterAsync();
        var purchase = await api.CompleteCheckoutAsync(await CheckoutAsync(user, new { plan = "starter", interval = "monthly" }));
        var id = purchase.SubscriptionId!;
        var path = $"/v1/subscriptions/{id}";
        var provider = server.Services.GetRequiredService<IBillingProvider>();
        Assert.Equal("stripe", provider.Name);

        await provider.ChangePlanAsync(id, BillingProduct.Plan("studio", "annual"), CancellationToken.None);
        Assert.Single(api.RequestsTo("GET", path));
        var change = api.RequestsTo("POST", path).Single().Form;
        var item = (string)api.Subscription(id)["items"]!["data"]![0]!["id"]!;
        Assert.Equal((item, api.Products["studio_annual"].Id, "create_prorations"),
            (change["items[0][id]"], change["items[0][price]"], change["proration_behavior"]));
        Assert.Equal(api.Products["studio_annual"].Id, (string?)api.Subscription(id)["items"]!["data"]![0]!["price"]!["id"]);

        await provider.CancelAsync(id, CancellationToken.None);
        Assert.Equal("true", api.RequestsTo("POST", path)[1].Form["cancel_at_period_end"]);
        Assert.True((bool)api.Subscription(id)["cancel_at_period_end"]!);
        await provider.ResumeAsync(id, CancellationToken.None);
        Assert.Equal(["cancel_at_period_end"], api.RequestsTo("POST", path)[2].Form.Keys);
        Assert.False((bool)api.Subscription(id)["cancel_at_period_end"]!);

        var portal = await provider.PortalUrlAsync(id, purchase.Customer, CancellationToken.None);
        var portalCall = api.RequestsTo("POST", "/v1/billing_portal/sessions").Single(r => r.Form["customer"] == purchase.Customer);
        Assert.Equal($"{StripeCheckoutServer.PublicUrl}/billing", portalCall.Form["return_url"]);
        Assert.StartsWith($"{api.BaseUrl}p/session/bps_", portal.AbsoluteUri);

        // Without the customer id the client reads it from the subscription first.
        await provider.PortalUrlAsync(id, null, CancellationToken.None);
        Assert.Equal(2, api.RequestsTo("GET", path).Count);
        Assert.Equal(2, api.RequestsTo("POST", "/v1/billing_portal/sessions").Count(r => r.Form["customer"] == purchase.Customer));

        await api.WebhooksSentAsync();
        Assert.Equal(3, api.Deliveries.Count(d => d.EventName == "customer.subscription.updated" && (string?)d.Json["data"]!["object"]!["id"] == id));
    }

    [Fact]
    public async Task A_provider_failure_is_billing_provider_error_and_no_answer_reveals_the_key()
    {
        var user = await server.RegisterAsync();
        api.FailNext.Enqueue(500);

        var response = await user.Client.PostAsJsonAsync("/api/v1/billing/checkout", new { plan = "pro", interval = "annual" });

        await ProblemAssert.ReadAsync(response, HttpStatusCode.BadGateway, "billing_provider_error");
        Assert.All(server.Problems.Lines, line => Assert.DoesNotContain(api.SecretKey, line));
    }

    [Fact]
    public async Task A_wrong_secret_key_is_billing_provider_error_and_the_key_stays_out_of_problems_and_logs()
    {
        var wrong = $"sk_test_{Guid.NewGuid():N}WrOnGkEy";
        await using var misconfigured = await PingvasServer.StartAsync(api.Settings().With("Billing:Stripe:SecretKey", wrong));
        var user = await misconfigured.RegisterAsync();

        var response = await user.Client.PostAsJsonAsync("/api/v1/billing/checkout", new { plan = "pro", interval = "monthly" });

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("billing_provider_error", body);
        Assert.DoesNotContain("gkEy", body);
        Assert.Contains(api.Requests, r => r.Status == 401 && r.Header("Authorization") == $"Bearer {wrong}");
        Assert.Contains(misconfigured.Problems.Lines, line => line.Contains("401", StringComparison.Ordinal));
        Assert.All(misconfigured.Problems.Lines, line => Assert.DoesNotContain("gkEy", line));
    }

    [Fact]
    public async Task A_top_up_pack_that_is_not_on_sale_is_invalid_product()
    {
        var user = await server.RegisterAsync();

        var response = await user.Client.PostAsJsonAsync("/api/v1/billing/checkout", new { topUp = 2500 });

        await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_product");
        Assert.DoesNotContain(api.RequestsTo("POST", "/v1/checkout/sessions"), r => r.Form.GetValueOrDefault("client_reference_id") == user.Id.ToString());
    }

    [Fact]
    public async Task The_fakes_lifecycle_sends_signed_renewal_failure_deletion_and_refund_events()
    {
        var user = await server.RegisterAsync();
        var plan = await api.CompleteCheckoutAsync(await CheckoutAsync(user, new { plan = "pro", interval = "annual" }));
        var id = plan.SubscriptionId!;
        var before = (long)api.Subscription(id)["items"]!["data"]![0]!["current_period_end"]!;

        await api.RenewAsync(id);
        await api.FailPaymentAsync(id);
        await api.ExpireAsync(id);
        var topUp = await api.CompleteCheckoutAsync(await CheckoutAsync(user, new { topUp = 1000 }));
        await api.RefundAsync(topUp.SessionId);

        var events = fixture.Sink.Received.Where(e => EventUser(e) == user.Id.ToString() || (string?)e.Json["data"]!["object"]!["id"] == id).ToList();
        Assert.Equal(
            ["checkout.session.completed", "invoice.paid", "invoice.paid", "customer.subscription.updated", "invoice.payment_failed",
             "customer.subscription.updated", "customer.subscription.deleted", "checkout.session.completed", "charge.refunded"],
            events.Select(e => (string?)e.Json["type"]));
        Assert.All(events, e =>
        {
            var header = e.Headers["Stripe-Signature"];
            Assert.Equal(api.SignatureHeader(e.Body, long.Parse(header.Split(',')[0][2..], System.Globalization.CultureInfo.InvariantCulture)), header);
        });
        Assert.Equal("subscription_cycle", (string?)events[2].Json["data"]!["object"]!["billing_reason"]);
        Assert.InRange((long)api.Subscription(id)["items"]!["data"]![0]!["current_period_end"]! - before, 365 * 86400, 366 * 86400);
        Assert.Equal("past_due", (string?)events[5].Json["data"]!["object"]!["status"]);
        Assert.Equal("canceled", (string?)events[6].Json["data"]!["object"]!["status"]);
        var charge = events[8].Json["data"]!["object"]!;
        Assert.Equal(((string?)events[7].Json["data"]!["object"]!["payment_intent"], 1000, user.Id.ToString()),
            ((string?)charge["payment_intent"], (int)charge["amount_refunded"]!, (string?)charge["metadata"]!["user_id"]));
    }

    private static async Task<Uri> CheckoutAsync(TestUser user, object body)
    {
        var response = await user.Client.PostAsJsonAsync("/api/v1/billing/checkout", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return new Uri((string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["url"]!);
    }

    private FakeApiRequest SessionCallOf(TestUser user) =>
        api.RequestsTo("POST", "/v1/checkout/sessions").Single(r => r.Form.GetValueOrDefault("client_reference_id") == user.Id.ToString());

    private static string? EventUser(FakeWebhookDelivery e)
    {
        var data = e.Json["data"]!["object"]!;
        return (string?)data["client_reference_id"] ?? (string?)data["parent"]?["subscription_details"]?["metadata"]?["user_id"]
            ?? (string?)data["metadata"]?["user_id"];
    }
}
