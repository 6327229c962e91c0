using System.Net;
using System.Net.Http.Json;

using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Billing;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Billing;

/// <summary>
/// What the billing endpoints asked the provider, for the tests of the endpoints' own rules (which
/// subscription, whose, which product). The real clients and the provider's answers are tested
/// against the local provider servers (CheckoutToPlanTests, LemonSqueezyCheckoutTests, StripeCheckoutTests).
/// </summary>
public sealed class RecordingBillingProvider : IBillingProvider
{
    public List<string> Calls { get; } = [];

    public bool Fail { get; set; }

    public string Name => "lemonsqueezy";

    public Task<Uri> CreateCheckoutAsync(BillingCustomer customer, BillingProduct product, CancellationToken ct) => Record($"checkout {customer.UserId}", new Uri("https://example.test/checkout"));

    public Task ChangePlanAsync(string subscriptionId, BillingProduct product, CancellationToken ct) => Record($"plan {subscriptionId} {product.PlanId}_{product.Interval}", 0);

    public Task CancelAsync(string subscriptionId, CancellationToken ct) => Record($"cancel {subscriptionId}", 0);

    public Task ResumeAsync(string subscriptionId, CancellationToken ct) => Record($"resume {subscriptionId}", 0);

    public Task<Uri> PortalUrlAsync(string subscriptionId, string? customerId, CancellationToken ct) =>
        Record($"portal {subscriptionId} {customerId}", new Uri($"https://example.test/portal/{subscriptionId}"));

    private Task<T> Record<T>(string call, T result)
    {
        lock (Calls)
        {
            Calls.Add(call);
        }

        return Fail ? throw new BillingProviderException("The provider answered 500.") : Task.FromResult(result);
    }
}

public sealed class BillingWithProviderFixture() : ServerFixture(BillingHooks.Settings(stripe: false))
{
    public RecordingBillingProvider Provider { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IBillingProvider>(Provider);
}

/// <summary>GET /billing and the subscription requests: they only ask the provider; tenant isolation.</summary>
public sealed class BillingEndpointTests(BillingWithProviderFixture fixture) : IClassFixture<BillingWithProviderFixture>
{
    private PingvasServer Server => fixture.Server;

    [Fact]
    public async Task Requests_go_to_the_provider_for_the_users_own_subscription_and_change_nothing_here()
    {
        var user = await Server.RegisterAsync();
        var sub = $"{Random.Shared.Next(100_000, 999_999)}";
        var now = Server.Time.GetUtcNow().UtcDateTime;
        await Server.LsAsync(LsEvents.Subscription("subscription_created", user.Id, sub, BillingHooks.LsStarterMonthly, "active", now.AddMonths(1), now));

        Assert.Equal(HttpStatusCode.Accepted, (await user.Client.PostAsJsonAsync("/api/v1/billing/subscription/plan", new { plan = "pro", interval = "monthly" })).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await user.Client.PostAsync("/api/v1/billing/subscription/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await user.Client.PostAsync("/api/v1/billing/subscription/resume", null)).StatusCode);
        var portal = await user.Client.PostAsync("/api/v1/billing/portal", null);
        Assert.Equal(HttpStatusCode.OK, portal.StatusCode);
        Assert.Equal($"https://example.test/portal/{sub}", (await portal.Content.ReadFromJsonAsync<PortalBody>(Json.Options))!.Url);
        lock (fixture.Provider.Calls)
        {
            Assert.Contains($"plan {sub} pro_monthly", fixture.Provider.Calls);
            Assert.Contains($"cancel {sub}", fixture.Provider.Calls);
            Assert.Contains($"resume {sub}", fixture.Provider.Calls);
            Assert.Contains($"portal {sub} 9001", fixture.Provider.Calls);
        }

        // Until the webhook comes, nothing changed.
        var billing = await user.BillingAsync();
        Assert.Equal(("lemonsqueezy", "starter", "active"), (billing.Provider, billing.Plan.Id, billing.Subscription!.Status));
        Assert.Equal([1000, 5000, 20000], billing.Products.TopUps);
        Assert.Equal(["starter monthly", "starter annual", "pro monthly", "studio monthly"], billing.Products.Plans.Select(p => $"{p.PlanId} {p.Interval}"));

        await ProblemAssert.ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/billing/subscription/plan", new { plan = "pro", interval = "annual" }), HttpStatusCode.BadRequest, "invalid_product");
        await ProblemAssert.ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/billing/subscription/plan", new { plan = "enterprise", interval = "monthly" }), HttpStatusCode.BadRequest, "invalid_product");
    }

    [Fact]
    public async Task Without_a_subscription_the_requests_answer_no_subscription()
    {
        var user = await Server.RegisterAsync();
        await ProblemAssert.ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/billing/subscription/plan", new { plan = "pro", interval = "monthly" }), HttpStatusCode.NotFound, "no_subscription");
        await ProblemAssert.ReadAsync(await user.Client.PostAsync("/api/v1/billing/subscription/cancel", null), HttpStatusCode.NotFound, "no_subscription");
        await ProblemAssert.ReadAsync(await user.Client.PostAsync("/api/v1/billing/subscription/resume", null), HttpStatusCode.NotFound, "no_subscription");
        await ProblemAssert.ReadAsync(await user.Client.PostAsync("/api/v1/billing/portal", null), HttpStatusCode.NotFound, "no_subscription");
        var billing = await user.BillingAsync();
        Assert.Equal(("free", (BillingSubscriptionBody?)null, 0), (billing.Plan.Id, billing.Subscription, billing.Payments.Count));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Server.CreateClient().GetAsync("/api/v1/billing")).StatusCode);
    }

    [Fact]
    public async Task A_provider_failure_is_a_502()
    {
        var user = await Server.RegisterAsync();
        var sub = $"{Random.Shared.Next(100_000, 999_999)}";
        var now = Server.Time.GetUtcNow().UtcDateTime;
        await Server.LsAsync(LsEvents.Subscription("subscription_created", user.Id, sub, BillingHooks.LsStarterMonthly, "active", now.AddMonths(1), now));
        fixture.Provider.Fail = true;
        try
        {
            await ProblemAssert.ReadAsync(await user.Client.PostAsync("/api/v1/billing/subscription/cancel", null), HttpStatusCode.BadGateway, "billing_provider_error");
            await ProblemAssert.ReadAsync(await user.Client.PostAsync("/api/v1/billing/portal", null), HttpStatusCode.BadGateway, "billing_provider_error");
        }
        finally
        {
            fixture.Provider.Fail = false;
        }
    }

    [Fact]
    public async Task One_users_billing_is_never_shown_to_or_changed_for_another()
    {
        var alice = await Server.RegisterAsync();
        var bob = await Server.RegisterAsync();
        var sub = $"{Random.Shared.Next(100_000, 999_999)}";
        var now = Server.Time.GetUtcNow().UtcDateTime;
        await Server.LsAsync(LsEvents.Subscription("subscription_created", alice.Id, sub, BillingHooks.LsProMonthly, "active", now.AddMonths(1), now));
        await Server.LsAsync(LsEvents.Invoice("subscription_payment_success", alice.Id, $"{sub}1", sub, "initial", 7500, now));
        await Server.LsAsync(LsEvents.Order("order_created", alice.Id, $"{sub}2", BillingHooks.LsTopUp1000, 900, now));

        // An event about Alice's subscription that claims to be Bob's still lands on Alice.
        await Server.LsAsync(LsEvents.Subscription("subscription_cancelled", bob.Id, sub, BillingHooks.LsProMonthly, "cancelled", now.AddMonths(1), now.AddSeconds(1), cancelled: true, endsAt: now.AddMonths(1)));

        var bobs = await bob.BillingAsync();
        Assert.Equal(("free", (BillingSubscriptionBody?)null, 0), (bobs.Plan.Id, bobs.Subscription, bobs.Payments.Count));
        Assert.Equal(100, (await bob.MeAsync()).Credits.Balance);
        Assert.Empty(await Server.EmailsAsync(bob.Id));
        await ProblemAssert.ReadAsync(await bob.Client.PostAsync("/api/v1/billing/subscription/cancel", null), HttpStatusCode.NotFound, "no_subscription");

        var alices = await alice.BillingAsync();
        Assert.Equal(("pro", "cancelled", 2), (alices.Plan.Id, alices.Subscription!.Status, alices.Payments.Count));
        Assert.Equal(16000, (await alice.MeAsync()).Credits.Balance);
    }

    private sealed record PortalBody(string Url);
}

/// <summary>With no provider configured: the endpoints say so, the webhooks do not exist.</summary>
public sealed class BillingUnavailableTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    [Fact]
    public async Task Without_a_provider_billing_answers_503_and_webhooks_404()
    {
        var user = await fixture.Server.RegisterAsync();
        var billing = await user.BillingAsync();
        Assert.Equal(((string?)null, "free", (BillingSubscriptionBody?)null), (billing.Provider, billing.Plan.Id, billing.Subscription));
        Assert.Empty(billing.Products.Plans);
        Assert.Empty(billing.Products.TopUps);

        await ProblemAssert.ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/billing/subscription/plan", new { plan = "pro", interval = "monthly" }), HttpStatusCode.ServiceUnavailable, "billing_unavailable");
        await ProblemAssert.ReadAsync(await user.Client.PostAsync("/api/v1/billing/subscription/cancel", null), HttpStatusCode.ServiceUnavailable, "billing_unavailable");
        await ProblemAssert.ReadAsync(await user.Client.PostAsync("/api/v1/billing/subscription/resume", null), HttpStatusCode.ServiceUnavailable, "billing_unavailable");
        await ProblemAssert.ReadAsync(await user.Client.PostAsync("/api/v1/billing/portal", null), HttpStatusCode.ServiceUnavailable, "billing_unavailable");

        var body = LsEvents.Order("order_created", user.Id, "1", BillingHooks.LsTopUp1000, 900, DateTime.UtcNow).ToJsonString();
        await ProblemAssert.ReadAsync(await fixture.Server.PostLsAsync(body), HttpStatusCode.NotFound, "billing_unavailable");
        await ProblemAssert.ReadAsync(await fixture.Server.PostStripeAsync(body, "t=1,v1=00"), HttpStatusCode.NotFound, "billing_unavailable");
        Assert.Equal(100, (await user.MeAsync()).Credits.Balance);
    }
}
