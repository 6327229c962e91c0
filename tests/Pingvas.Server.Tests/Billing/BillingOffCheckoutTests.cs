using System.Net;
using System.Net.Http.Json;

using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Billing;
using Pingvas.Server.Hosting;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Billing;

/// <summary>
/// Billing is on only when the chosen provider has its keys: the embedded default sells nothing
/// (503 billing_unavailable), and a provider name Pingvas does not know stops the start.
/// </summary>
public sealed class BillingOffCheckoutTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    [Fact]
    public async Task Without_a_configured_provider_checkout_is_billing_unavailable_and_no_provider_is_registered()
    {
        var user = await fixture.Server.RegisterAsync();

        var response = await user.Client.PostAsJsonAsync("/api/v1/billing/checkout", new { plan = "pro", interval = "monthly" });

        await ProblemAssert.ReadAsync(response, HttpStatusCode.ServiceUnavailable, "billing_unavailable");
        Assert.Null(fixture.Server.Services.GetService<IBillingProvider>());
    }

    [Fact]
    public async Task Keys_of_the_provider_not_chosen_do_not_turn_billing_on()
    {
        // Lemon Squeezy keys, but Stripe chosen without its secret key: billing stays off.
        await using var server = await PingvasServer.StartAsync(new TestSettings()
            .With("Billing:Provider", "stripe")
            .With("Billing:LemonSqueezy:ApiKey", "ls-key")
            .With("Billing:LemonSqueezy:StoreId", "1")
            .With("Billing:LemonSqueezy:Variants:pro_monthly", "103")
            .With("Billing:Stripe:Prices:pro_monthly", "price_1"));
        var user = await server.RegisterAsync();

        var response = await user.Client.PostAsJsonAsync("/api/v1/billing/checkout", new { plan = "pro", interval = "monthly" });

        await ProblemAssert.ReadAsync(response, HttpStatusCode.ServiceUnavailable, "billing_unavailable");
    }

    [Fact]
    public async Task Lemon_squeezy_without_a_store_id_is_off_too()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings()
            .With("Billing:Provider", "lemonsqueezy")
            .With("Billing:LemonSqueezy:ApiKey", "ls-key")
            .With("Billing:LemonSqueezy:Variants:pro_monthly", "103"));

        Assert.Null(server.Services.GetService<IBillingProvider>());
    }

    [Theory]
    [InlineData("paypal")]
    [InlineData("lemon squeezy")]
    public void An_unknown_provider_name_refuses_to_start_with_a_clear_message(string name)
    {
        var data = Path.Combine(Path.GetTempPath(), "pingvas-tests", Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<InvalidOperationException>(() => PingvasApp.Build(["serve", "--data", data, $"--Billing:Provider={name}"]));

        Assert.Contains("Billing__Provider", error.Message, StringComparison.Ordinal);
        Assert.Contains("lemonsqueezy or stripe", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_provider_name_is_not_case_sensitive()
    {
        await using var api = await FakeStripeApi.StartAsync();
        await using var server = await PingvasServer.StartAsync(api.Settings().With("Billing:Provider", "Stripe"));

        Assert.Equal("stripe", server.Services.GetRequiredService<IBillingProvider>().Name);
        var user = await server.RegisterAsync();
        var response = await user.Client.PostAsJsonAsync("/api/v1/billing/checkout", new { plan = "starter", interval = "annual" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(api.Products["starter_annual"].Id, api.RequestsTo("POST", "/v1/checkout/sessions").Single().Form["line_items[0][price]"]);
    }
}
