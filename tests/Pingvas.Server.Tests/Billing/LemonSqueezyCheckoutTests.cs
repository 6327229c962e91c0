using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Billing;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Billing;

/// <summary>Our server configured for Lemon Squeezy on a local fake of its API, whose webhooks go to a recording sink.</summary>
public sealed class LemonSqueezyCheckoutServer : IAsyncLifetime
{
    public const string PublicUrl = "https://studio.example.com";

    public FakeLemonSqueezyApi Api { get; private set; } = null!;

    public WebhookSink Sink { get; private set; } = null!;

    public PingvasServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Api = await FakeLemonSqueezyApi.StartAsync();
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
/// POST /api/v1/billing/checkout with Lemon Squeezy: the checkout our server asks for has exactly the
/// documented shape (store, variant, our user id in custom data, the return URL), paying it on the
/// hosted page sends correctly signed webhooks, and every refusal has its stable code.
/// </summary>
public sealed class LemonSqueezyCheckoutTests(LemonSqueezyCheckoutServer fixture) : IClassFixture<LemonSqueezyCheckoutServer>
{
    private readonly FakeLemonSqueezyApi api = fixture.Api;
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task A_plan_checkout_is_created_with_the_documented_request_and_its_url_is_returned()
    {
        var user = await server.RegisterAsync();

        var url = await CheckoutAsync(user, new { plan = "pro", interval = "monthly" });

        var call = CheckoutCallOf(user);
        Assert.Equal(201, call.Status);
        Assert.Equal("application/vnd.api+json", call.Header("Accept"));
        Assert.Equal("application/vnd.api+json", call.Header("Content-Type"));
        Assert.Equal($"Bearer {api.ApiKey}", call.Header("Authorization"));
        var data = call.Json!["data"]!;
        Assert.Equal(["attributes", "relationships", "type"], Keys(data));
        Assert.Equal("checkouts", (string?)data["type"]);
        Assert.Equal(["checkout_data", "product_options"], Keys(data["attributes"]!));
        var checkoutData = data["attributes"]!["checkout_data"]!;
        Assert.Equal(["custom", "email", "name"], Keys(checkoutData));
        Assert.Equal(user.Email, (string?)checkoutData["email"]);
        Assert.Equal("Test User", (string?)checkoutData["name"]);
        Assert.Equal(["user_id"], Keys(checkoutData["custom"]!));
        Assert.Equal(user.Id.ToString(), (string?)checkoutData["custom"]!["user_id"]);
        Assert.Equal(["redirect_url"], Keys(data["attributes"]!["product_options"]!));
        Assert.Equal($"{LemonSqueezyCheckoutServer.PublicUrl}/billing/return", (string?)data["attributes"]!["product_options"]!["redirect_url"]);
        Assert.Equal("stores", (string?)data["relationships"]!["store"]!["data"]!["type"]);
        Assert.Equal(api.StoreId, (string?)data["relationships"]!["store"]!["data"]!["id"]);
        Assert.Equal("variants", (string?)data["relationships"]!["variant"]!["data"]!["type"]);
        Assert.Equal(api.Products["pro_monthly"].Id, (string?)data["relationships"]!["variant"]!["data"]!["id"]);

        Assert.StartsWith($"{api.BaseUrl}checkout/custom/", url.AbsoluteUri);
        using var browser = new HttpClient();
        var page = await browser.GetStringAsync(url);
        Assert.Contains("Pro – Monthly", page);
        Assert.Contains(">Pay</button>", page);
    }

    [Fact]
    public async Task Paying_on_the_hosted_page_sends_signed_order_and_subscription_webhooks_with_our_user_id_then_returns_to_the_app()
    {
        var user = await server.RegisterAsync();
        var url = await CheckoutAsync(user, new { plan = "starter", interval = "annual" });

        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var paid = await browser.PostAsync(url, new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
        Assert.Equal($"{LemonSqueezyCheckoutServer.PublicUrl}/billing/return", paid.Headers.Location!.AbsoluteUri);
        var hooks = WebhooksOf(user);
        Assert.Equal(["order_created", "subscription_created", "subscription_payment_success"], hooks.Select(h => h.EventName));
        Assert.All(hooks, AssertSigned);
        var variant = int.Parse(api.Products["starter_annual"].Id, System.Globalization.CultureInfo.InvariantCulture);

        var order = hooks[0].Json["data"]!;
        Assert.Equal("orders", (string?)order["type"]);
        Assert.Equal(variant, (int)order["attributes"]!["first_order_item"]!["variant_id"]!);
        Assert.Equal(("paid", false, 25000, "USD"),
            ((string?)order["attributes"]!["status"], (bool)order["attributes"]!["refunded"]!, (int)order["attributes"]!["total"]!, (string?)order["attributes"]!["currency"]));

        var subscription = hooks[1].Json["data"]!;
        Assert.Equal("subscriptions", (string?)subscription["type"]);
        var attributes = subscription["attributes"]!;
        Assert.Equal(variant, (int)attributes["variant_id"]!);
        Assert.Equal("active", (string?)attributes["status"]);
        Assert.Equal(int.Parse(order["id"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture), (int)attributes["order_id"]!);
        Assert.Null(attributes["ends_at"]);
        var renewsAt = DateTime.Parse((string)attributes["renews_at"]!, System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime();
        Assert.InRange(renewsAt, DateTime.UtcNow.AddDays(364), DateTime.UtcNow.AddDays(367));
        Assert.StartsWith(api.BaseUrl.ToString(), (string?)attributes["urls"]!["customer_portal"]);
        Assert.NotNull(attributes["customer_id"]);
        Assert.NotNull(attributes["updated_at"]);

        var invoice = hooks[2].Json["data"]!;
        Assert.Equal("subscription-invoices", (string?)invoice["type"]);
        Assert.Equal(("initial", "paid"), ((string?)invoice["attributes"]!["billing_reason"], (string?)invoice["attributes"]!["status"]));
        Assert.Equal(subscription["id"]!.GetValue<string>(), ((int)invoice["attributes"]!["subscription_id"]!).ToString(System.Globalization.CultureInfo.InvariantCulture));

        // A checkout is paid once.
        Assert.Equal(HttpStatusCode.Gone, (await browser.PostAsync(url, new FormUrlEncodedContent([]))).StatusCode);
    }

    [Fact]
    public async Task A_top_up_checkout_uses_the_packs_variant_is_allowed_on_a_paid_plan_and_sends_only_order_created()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "pro");

        var url = await CheckoutAsync(user, new { topUp = 5000 });
        var purchase = await api.CompleteCheckoutAsync(url);

        var call = CheckoutCallOf(user);
        Assert.Equal(api.Products["topup_5000"].Id, (string?)call.Json!["data"]!["relationships"]!["variant"]!["data"]!["id"]);
        Assert.Null(purchase.SubscriptionId);
        var hook = Assert.Single(WebhooksOf(user));
        Assert.Equal("order_created", hook.EventName);
        AssertSigned(hook);
        Assert.Equal(int.Parse(api.Products["topup_5000"].Id, System.Globalization.CultureInfo.InvariantCulture),
            (int)hook.Json["data"]!["attributes"]!["first_order_item"]!["variant_id"]!);
        Assert.Equal(4500, (int)hook.Json["data"]!["attributes"]!["total"]!);
    }

    [Theory]
    [InlineData("""{"plan":"pro","interval":"weekly"}""")]
    [InlineData("""{"plan":"pro"}""")]
    [InlineData("""{"plan":"free","interval":"monthly"}""")]
    [InlineData("""{"plan":"enterprise","interval":"annual"}""")]
    [InlineData("""{"plan":"platinum","interval":"monthly"}""")]
    [InlineData("""{"topUp":1234}""")]
    [InlineData("""{"topUp":-5000}""")]
    public async Task A_product_that_is_not_on_sale_is_invalid_product_and_nothing_is_asked_of_the_provider(string body)
    {
        var user = await server.RegisterAsync();

        var response = await user.Client.PostAsync("/api/v1/billing/checkout", ProblemAssert.Raw(body));

        await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest, "invalid_product");
        Assert.DoesNotContain(api.RequestsTo("POST", "/v1/checkouts"), r => r.Body.Contains(user.Id.ToString(), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"plan":"pro","interval":"monthly","topUp":1000}""")]
    [InlineData("""{"topUp":1000,"interval":"monthly"}""")]
    public async Task Neither_or_both_kinds_of_product_is_a_validation_problem(string body)
    {
        var user = await server.RegisterAsync();

        var response = await user.Client.PostAsync("/api/v1/billing/checkout", ProblemAssert.Raw(body));

        await ProblemAssert.ValidationAsync(response, "body");
    }

    [Fact]
    public async Task A_plan_an_admin_assigned_can_still_be_bought()
    {
        // No subscription runs, so buying one is allowed; already_subscribed is proven end to end in CheckoutToPlanTests.
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");

        var url = await CheckoutAsync(user, new { plan = "pro", interval = "monthly" });

        Assert.Contains(CheckoutCallOf(user).Json!["data"]!["attributes"]!["checkout_data"]!["custom"]!["user_id"]!.GetValue<string>(), user.Id.ToString(), StringComparison.Ordinal);
        Assert.NotNull(url);
    }

    [Fact]
    public async Task Checkout_needs_a_signed_in_user()
    {
        using var anonymous = server.CreateClient();

        var response = await anonymous.PostAsJsonAsync("/api/v1/billing/checkout", new { plan = "pro", interval = "monthly" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_provider_failure_is_billing_provider_error_without_the_api_key()
    {
        var user = await server.RegisterAsync();
        api.FailNext.Enqueue(500);

        var response = await user.Client.PostAsJsonAsync("/api/v1/billing/checkout", new { plan = "pro", interval = "annual" });

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.BadGateway, "billing_provider_error");
        Assert.DoesNotContain(api.ApiKey, problem.Detail ?? "");
        Assert.Equal(500, CheckoutCallOf(user).Status);
        Assert.All(server.Problems.Lines, line => Assert.DoesNotContain(api.ApiKey, line));
    }

    [Theory]
    [InlineData("<html>Bad gateway</html>")]
    [InlineData("""{"jsonapi":{"version":"1.0"},"data":{"type":"checkouts","id":"1","attributes":{}}}""")]
    [InlineData("""{"data":{"attributes":{"url":"javascript:alert(1)"}}}""")]
    public async Task An_answer_that_is_not_a_checkout_is_billing_provider_error(string garbage)
    {
        var user = await server.RegisterAsync();
        api.GarbageNext.Enqueue(garbage);

        var response = await user.Client.PostAsJsonAsync("/api/v1/billing/checkout", new { plan = "pro", interval = "monthly" });

        await ProblemAssert.ReadAsync(response, HttpStatusCode.BadGateway, "billing_provider_error");
    }

    [Fact]
    public async Task An_unreachable_provider_is_billing_provider_error()
    {
        await using var unreachable = await PingvasServer.StartAsync(api.Settings().With("Billing:LemonSqueezy:ApiUrl", "http://127.0.0.1:1/"));
        var user = await unreachable.RegisterAsync();

        var response = await user.Client.PostAsJsonAsync("/api/v1/billing/checkout", new { plan = "pro", interval = "monthly" });

        await ProblemAssert.ReadAsync(response, HttpStatusCode.BadGateway, "billing_provider_error");
        Assert.Contains(unreachable.Problems.Lines, line => line.Contains("could not be reached", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Each_checkout_carries_its_callers_id_and_email_only()
    {
        var alice = await server.RegisterAsync();
        var bob = await server.RegisterAsync();

        // Bob names Alice in the body: it is not a field, and the checkout is still his.
        var response = await bob.Client.PostAsJsonAsync("/api/v1/billing/checkout", new { plan = "pro", interval = "monthly", userId = alice.Id, email = alice.Email });
        response.EnsureSuccessStatusCode();
        await CheckoutAsync(alice, new { plan = "studio", interval = "monthly" });

        var bobs = CheckoutCallOf(bob).Json!["data"]!["attributes"]!["checkout_data"]!;
        Assert.Equal((bob.Id.ToString(), bob.Email), ((string?)bobs["custom"]!["user_id"], (string?)bobs["email"]));
        var alices = CheckoutCallOf(alice).Json!["data"]!["attributes"]!["checkout_data"]!;
        Assert.Equal((alice.Id.ToString(), alice.Email), ((string?)alices["custom"]!["user_id"], (string?)alices["email"]));
    }

    [Fact]
    public async Task The_subscription_calls_change_plan_cancel_resume_and_open_the_portal_as_documented()
    {
        var user = await server.RegisterAsync();
        var purchase = await api.CompleteCheckoutAsync(await CheckoutAsync(user, new { plan = "starter", interval = "monthly" }));
        var id = purchase.SubscriptionId!;
        var provider = server.Services.GetRequiredService<IBillingProvider>();
        Assert.Equal("lemonsqueezy", provider.Name);

        await provider.ChangePlanAsync(id, BillingProduct.Plan("pro", "annual"), CancellationToken.None);
        var patch = api.RequestsTo("PATCH", $"/v1/subscriptions/{id}").Single();
        Assert.Equal(200, patch.Status);
        Assert.Equal("subscriptions", (string?)patch.Json!["data"]!["type"]);
        Assert.Equal(id, (string?)patch.Json["data"]!["id"]);
        Assert.Equal(int.Parse(api.Products["pro_annual"].Id, System.Globalization.CultureInfo.InvariantCulture), (int)patch.Json["data"]!["attributes"]!["variant_id"]!);

        await provider.CancelAsync(id, CancellationToken.None);
        Assert.Equal(("cancelled", true), ((string?)api.Subscription(id)["status"], (bool)api.Subscription(id)["cancelled"]!));
        Assert.Equal((string?)api.Subscription(id)["renews_at"], (string?)api.Subscription(id)["ends_at"]);

        await provider.ResumeAsync(id, CancellationToken.None);
        Assert.Equal(("active", false), ((string?)api.Subscription(id)["status"], (bool)api.Subscription(id)["cancelled"]!));
        Assert.Equal("""{"data":{"type":"subscriptions","id":"ID","attributes":{"cancelled":false}}}""".Replace("ID", id, StringComparison.Ordinal),
            api.RequestsTo("PATCH", $"/v1/subscriptions/{id}")[1].Body);

        // Lemon Squeezy signs a fresh 24-hour portal link on every read, so the expiry may move a second between two reads.
        var portal = await provider.PortalUrlAsync(id, null, CancellationToken.None);
        Assert.Equal(WithoutExpiry((string?)api.Subscription(id)["urls"]!["customer_portal"]), WithoutExpiry(portal.AbsoluteUri));

        await api.WebhooksSentAsync();
        Assert.Equal(
            ["order_created", "subscription_created", "subscription_payment_success", "subscription_updated",
             "subscription_cancelled", "subscription_updated", "subscription_resumed", "subscription_updated"],
            WebhooksOf(user).Select(h => h.EventName));
        Assert.All(WebhooksOf(user), AssertSigned);
        Assert.Equal(int.Parse(api.Products["pro_annual"].Id, System.Globalization.CultureInfo.InvariantCulture),
            (int)WebhooksOf(user)[3].Json["data"]!["attributes"]!["variant_id"]!);
    }

    [Fact]
    public async Task A_call_about_a_subscription_the_provider_does_not_know_is_a_provider_error()
    {
        var provider = server.Services.GetRequiredService<IBillingProvider>();

        var error = await Assert.ThrowsAsync<BillingProviderException>(() => provider.CancelAsync("999999", CancellationToken.None));

        Assert.Contains("404", error.Message);
        Assert.DoesNotContain(api.ApiKey, error.Message);
    }

    [Fact]
    public async Task The_fakes_lifecycle_sends_renewal_failure_recovery_expiry_and_refund_webhooks_as_lemon_squeezy_does()
    {
        var user = await server.RegisterAsync();
        var plan = await api.CompleteCheckoutAsync(await CheckoutAsync(user, new { plan = "pro", interval = "monthly" }));
        var id = plan.SubscriptionId!;
        var firstRenewal = (string)api.Subscription(id)["renews_at"]!;

        await api.RenewAsync(id);
        await api.FailPaymentAsync(id);
        Assert.Equal("past_due", (string?)api.Subscription(id)["status"]);
        await api.RecoverPaymentAsync(id);
        await api.ExpireAsync(id);

        var hooks = WebhooksOf(user).Skip(3).ToList();
        Assert.Equal(
            ["subscription_payment_success", "subscription_updated", "subscription_payment_failed", "subscription_updated",
             "subscription_payment_recovered", "subscription_updated", "subscription_expired", "subscription_updated"],
            hooks.Select(h => h.EventName));
        Assert.All(hooks, AssertSigned);
        Assert.Equal("renewal", (string?)hooks[0].Json["data"]!["attributes"]!["billing_reason"]);
        Assert.True(string.CompareOrdinal((string)hooks[1].Json["data"]!["attributes"]!["renews_at"]!, firstRenewal) > 0);
        Assert.Equal("past_due", (string?)hooks[3].Json["data"]!["attributes"]!["status"]);
        Assert.Equal("expired", (string?)hooks[7].Json["data"]!["attributes"]!["status"]);
        var stamps = hooks.Where(h => h.EventName == "subscription_updated").Select(h => (string)h.Json["data"]!["attributes"]!["updated_at"]!).ToList();
        Assert.Equal(stamps.Count, stamps.Distinct().Count());

        var topUp = await api.CompleteCheckoutAsync(await CheckoutAsync(user, new { topUp = 1000 }));
        await api.RefundOrderAsync(topUp.OrderId);
        var refund = WebhooksOf(user)[^1];
        Assert.Equal("order_refunded", refund.EventName);
        AssertSigned(refund);
        Assert.Equal(topUp.OrderId, (string?)refund.Json["data"]!["id"]);
        Assert.Equal(("refunded", true, 1000), ((string?)refund.Json["data"]!["attributes"]!["status"],
            (bool)refund.Json["data"]!["attributes"]!["refunded"]!, (int)refund.Json["data"]!["attributes"]!["refunded_amount"]!));
    }

    private static async Task<Uri> CheckoutAsync(TestUser user, object body)
    {
        var response = await user.Client.PostAsJsonAsync("/api/v1/billing/checkout", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var json = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(["url"], Keys(json!));
        return new Uri((string)json!["url"]!);
    }

    private FakeApiRequest CheckoutCallOf(TestUser user) =>
        api.RequestsTo("POST", "/v1/checkouts").Single(r => (string?)r.Json?["data"]?["attributes"]?["checkout_data"]?["custom"]?["user_id"] == user.Id.ToString());

    private List<FakeWebhookDelivery> WebhooksOf(TestUser user) =>
        [.. fixture.Sink.Received.Where(h => (string?)h.Json["meta"]?["custom_data"]?["user_id"] == user.Id.ToString())];

    /// <summary>Lemon Squeezy's scheme: X-Signature is the hex HMAC-SHA256 of the raw body with the signing secret; X-Event-Name names the event.</summary>
    private void AssertSigned(FakeWebhookDelivery hook)
    {
        Assert.Equal(api.Sign(hook.Body), hook.Headers["X-Signature"]);
        Assert.Equal(64, hook.Headers["X-Signature"].Length);
        Assert.Equal(hook.EventName, (string?)hook.Json["meta"]!["event_name"]);
        Assert.StartsWith("application/json", hook.Headers["Content-Type"]);
    }

    private static List<string> Keys(JsonNode node) => [.. node.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal)];

    private static string? WithoutExpiry(string? url) =>
        url is null ? null : System.Text.RegularExpressions.Regex.Replace(url, "expires=[0-9]+", "expires=…");
}
