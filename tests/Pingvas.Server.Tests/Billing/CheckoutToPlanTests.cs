using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Billing;

/// <summary>Our server on the local Lemon Squeezy API, whose webhooks come back to the server: the whole loop.</summary>
public sealed class LemonSqueezyLoopServer : IAsyncLifetime
{
    public FakeLemonSqueezyApi Api { get; private set; } = null!;

    public PingvasServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Api = await FakeLemonSqueezyApi.StartAsync();
        Server = await PingvasServer.StartAsync(Api.Settings());
        Api.UseServer(Server);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Api.DisposeAsync();
    }
}

/// <summary>
/// Checkout → the provider's signed webhooks → our plan and credits, and the subscription calls
/// (cancel, resume, change plan, portal) answered by the provider's own webhooks: the production
/// client and webhook code against a server that follows Lemon Squeezy's documents.
/// </summary>
public sealed class CheckoutToPlanTests(LemonSqueezyLoopServer fixture) : IClassFixture<LemonSqueezyLoopServer>
{
    private readonly FakeLemonSqueezyApi api = fixture.Api;
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task A_paid_checkout_becomes_the_plan_and_a_second_plan_checkout_is_refused()
    {
        var user = await server.RegisterAsync();
        var url = await CheckoutAsync(user, new { plan = "starter", interval = "monthly" });

        await api.CompleteCheckoutAsync(url);

        var billing = await user.BillingAsync();
        Assert.Equal("starter", billing.Plan.Id);
        Assert.Equal("active", billing.Subscription!.Status);
        Assert.Equal(5000, (await user.MeAsync()).Credits.Balance); // Starter's grant replaced Free's
        Assert.Contains(billing.Payments, p => p.Kind == "subscription" && p.Status == "paid");

        var again = await user.Client.PostAsJsonAsync("/api/v1/billing/checkout", new { plan = "pro", interval = "monthly" });
        await ProblemAssert.ReadAsync(again, HttpStatusCode.Conflict, "already_subscribed");

        // A top-up is always for sale: its lot adds to the balance and never expires.
        var before = (await user.MeAsync()).Credits.Balance;
        await api.CompleteCheckoutAsync(await CheckoutAsync(user, new { topUp = 1000 }));
        Assert.Equal(before + 1000, (await user.MeAsync()).Credits.Balance);
    }

    [Fact]
    public async Task Cancel_and_resume_are_asked_of_the_provider_and_applied_when_its_webhooks_arrive()
    {
        var user = await server.RegisterAsync();
        await api.CompleteCheckoutAsync(await CheckoutAsync(user, new { plan = "pro", interval = "monthly" }));

        Assert.Equal(HttpStatusCode.Accepted, (await user.Client.PostAsync("/api/v1/billing/subscription/cancel", null)).StatusCode);
        await api.WebhooksSentAsync();
        var cancelled = (await user.BillingAsync()).Subscription!;
        Assert.True(cancelled.CancelAtPeriodEnd);
        Assert.NotNull(cancelled.EndsAt);
        Assert.Equal("pro", (await user.BillingAsync()).Plan.Id); // the paid period runs on

        Assert.Equal(HttpStatusCode.Accepted, (await user.Client.PostAsync("/api/v1/billing/subscription/resume", null)).StatusCode);
        await api.WebhooksSentAsync();
        var resumed = (await user.BillingAsync()).Subscription!;
        Assert.False(resumed.CancelAtPeriodEnd);
        Assert.Equal("active", resumed.Status);

        var portal = await user.Client.PostAsync("/api/v1/billing/portal", null);
        Assert.Equal(HttpStatusCode.OK, portal.StatusCode);
        var portalUrl = (await portal.Content.ReadFromJsonAsync<JsonObject>())!["url"]!.GetValue<string>();
        Assert.StartsWith(api.BaseUrl.ToString(), portalUrl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upgrade_through_the_provider_takes_effect_at_once()
    {
        var user = await server.RegisterAsync();
        await api.CompleteCheckoutAsync(await CheckoutAsync(user, new { plan = "starter", interval = "monthly" }));

        var change = await user.Client.PostAsJsonAsync("/api/v1/billing/subscription/plan", new { plan = "pro", interval = "monthly" });
        Assert.Equal(HttpStatusCode.Accepted, change.StatusCode);
        await api.WebhooksSentAsync();

        Assert.Equal("pro", (await user.BillingAsync()).Plan.Id);
        // The Pro grant, pro-rated by the days left (all of them, the period just began), replaced Starter's.
        Assert.InRange((await user.MeAsync()).Credits.Balance, 14_000, 15_000);
    }

    [Fact]
    public async Task A_provider_that_fails_leaves_the_subscription_as_it_was_and_answers_502()
    {
        var user = await server.RegisterAsync();
        await api.CompleteCheckoutAsync(await CheckoutAsync(user, new { plan = "starter", interval = "monthly" }));

        api.FailNext.Enqueue(500);
        var cancel = await user.Client.PostAsync("/api/v1/billing/subscription/cancel", null);

        await ProblemAssert.ReadAsync(cancel, HttpStatusCode.BadGateway, "billing_provider_error");
        await api.WebhooksSentAsync();
        var billing = await user.BillingAsync();
        Assert.Equal(("starter", "active", false), (billing.Plan.Id, billing.Subscription!.Status, billing.Subscription.CancelAtPeriodEnd));
    }

    [Fact]
    public async Task Another_user_has_no_subscription_to_cancel()
    {
        var owner = await server.RegisterAsync();
        await api.CompleteCheckoutAsync(await CheckoutAsync(owner, new { plan = "starter", interval = "monthly" }));
        var other = await server.RegisterAsync();

        var cancel = await other.Client.PostAsync("/api/v1/billing/subscription/cancel", null);

        await ProblemAssert.ReadAsync(cancel, HttpStatusCode.NotFound, "no_subscription");
        Assert.Null((await other.BillingAsync()).Subscription);
        Assert.False((await owner.BillingAsync()).Subscription!.CancelAtPeriodEnd);
    }

    private static async Task<Uri> CheckoutAsync(TestUser user, object body)
    {
        var response = await user.Client.PostAsJsonAsync("/api/v1/billing/checkout", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new Uri((await response.Content.ReadFromJsonAsync<JsonObject>())!["url"]!.GetValue<string>());
    }
}
