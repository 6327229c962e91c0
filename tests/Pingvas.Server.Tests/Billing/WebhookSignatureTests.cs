using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Billing;

public sealed class BillingFixture() : ServerFixture(BillingHooks.Settings());

/// <summary>
/// Webhook intake: signatures as the providers make them (Lemon Squeezy's documented HMAC,
/// Stripe's own npm package), replays, unknown events, size and shape limits. Nothing is stored
/// for a refused event.
/// </summary>
public sealed class WebhookSignatureTests(BillingFixture fixture) : IClassFixture<BillingFixture>
{
    private PingvasServer Server => fixture.Server;

    private DateTime Now => Server.Time.GetUtcNow().UtcDateTime;

    [Fact]
    public async Task Lemon_squeezy_refuses_a_bad_missing_or_tampered_signature_and_stores_nothing()
    {
        var user = await Server.RegisterAsync();
        var body = LsEvents.Order("order_created", user.Id, "70001", BillingHooks.LsTopUp1000, 900, Now).ToJsonString();
        var before = await Server.EventCountAsync();

        await ProblemAssert.ReadAsync(await Server.PostLsAsync(body, signature: null), HttpStatusCode.Unauthorized, "invalid_signature");
        await ProblemAssert.ReadAsync(await Server.PostLsAsync(body, BillingHooks.LsSign(body, "another-secret")), HttpStatusCode.Unauthorized, "invalid_signature");
        await ProblemAssert.ReadAsync(await Server.PostLsAsync(body, "not-hex"), HttpStatusCode.Unauthorized, "invalid_signature");
        var tampered = body.Replace("\"total\":900", "\"total\":1", StringComparison.Ordinal);
        Assert.NotEqual(body, tampered);
        await ProblemAssert.ReadAsync(await Server.PostLsAsync(tampered, BillingHooks.LsSign(body)), HttpStatusCode.Unauthorized, "invalid_signature");

        Assert.Equal(before, await Server.EventCountAsync());
        Assert.Equal(100, (await user.MeAsync()).Credits.Balance);

        // The same body, properly signed, is accepted and applied once.
        var response = await Server.PostLsAsync(body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1100, (await user.MeAsync()).Credits.Balance);
        Assert.Equal(before + 1, await Server.EventCountAsync());
    }

    [Fact]
    public async Task Stripe_accepts_the_stripe_packages_signature_and_refuses_wrong_missing_stale_or_tampered_ones()
    {
        var user = await Server.RegisterAsync();
        var body = StripeEvents.CheckoutPayment(user.Id, $"pi_{Guid.NewGuid():N}", "price_topup_1000", 900, Now).ToJsonString();
        var now = Server.Time.GetUtcNow();
        var before = await Server.EventCountAsync();

        await ProblemAssert.ReadAsync(await Server.PostStripeAsync(body, null), HttpStatusCode.Unauthorized, "invalid_signature");
        await ProblemAssert.ReadAsync(await Server.PostStripeAsync(body, await StripeSigner.HeaderAsync(body, "whsec_someone_else", now)), HttpStatusCode.Unauthorized, "invalid_signature");
        await ProblemAssert.ReadAsync(await Server.PostStripeAsync(body, await StripeSigner.HeaderAsync(body, BillingHooks.StripeSecret, now.AddMinutes(-6))), HttpStatusCode.Unauthorized, "invalid_signature");
        var header = await StripeSigner.HeaderAsync(body, BillingHooks.StripeSecret, now);
        var tampered = body.Replace("\"amount_total\":900", "\"amount_total\":1", StringComparison.Ordinal);
        Assert.NotEqual(body, tampered);
        await ProblemAssert.ReadAsync(await Server.PostStripeAsync(tampered, header), HttpStatusCode.Unauthorized, "invalid_signature");
        await ProblemAssert.ReadAsync(await Server.PostStripeAsync(body, header.Replace("t=", "t=1", StringComparison.Ordinal)), HttpStatusCode.Unauthorized, "invalid_signature");
        Assert.Equal(before, await Server.EventCountAsync());
        Assert.Equal(100, (await user.MeAsync()).Credits.Balance);

        // Within the tolerance, and with a second (rolled) secret's v1 beside the right one, it is accepted.
        var fourMinutesOld = await StripeSigner.HeaderAsync(body, BillingHooks.StripeSecret, now.AddMinutes(-4));
        var rolled = $"{fourMinutesOld},v1={new string('0', 64)}";
        var response = await Server.PostStripeAsync(body, rolled);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1100, (await user.MeAsync()).Credits.Balance);
    }

    [Fact]
    public async Task A_replayed_event_answers_duplicate_and_changes_nothing()
    {
        var user = await Server.RegisterAsync();
        var order = LsEvents.Order("order_created", user.Id, "70002", BillingHooks.LsTopUp5000, 3900, Now);
        Assert.False(await Server.LsAsync(order));
        var ledger = await user.LedgerAsync();
        Assert.True(await Server.LsAsync(order));
        Assert.True(await Server.LsAsync(order));
        Assert.Equal(5100, (await user.MeAsync()).Credits.Balance);
        Assert.Equal(ledger.Count, (await user.LedgerAsync()).Count);
        Assert.Single((await user.BillingAsync()).Payments);

        var stripe = StripeEvents.CheckoutPayment(user.Id, $"pi_{Guid.NewGuid():N}", "price_topup_1000", 900, Now);
        Assert.False(await Server.StripeAsync(stripe));
        Assert.True(await Server.StripeAsync(stripe));
        Assert.Equal(6100, (await user.MeAsync()).Credits.Balance);
    }

    [Fact]
    public async Task Deliveries_of_one_event_at_the_same_time_apply_it_once()
    {
        var user = await Server.RegisterAsync();
        var body = LsEvents.Order("order_created", user.Id, "70004", BillingHooks.LsTopUp1000, 900, Now).ToJsonString();
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Server.PostLsAsync(body)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var receipts = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<ReceiptBody>(Json.Options)));
        Assert.Equal(1, receipts.Count(r => !r!.Duplicate));
        Assert.Equal(1100, (await user.MeAsync()).Credits.Balance);
        Assert.Single(await Server.QueryAsync(db => db.Lots.Where(l => l.UserId == user.Id && l.OrderRef != null).ToListAsync()));
    }

    [Fact]
    public async Task Unknown_events_are_stored_and_acknowledged()
    {
        var user = await Server.RegisterAsync();
        var ls = LsEvents.Order("license_key_created", user.Id, "70003", BillingHooks.LsTopUp1000, 900, Now);
        Assert.False(await Server.LsAsync(ls));
        var stripe = StripeEvents.Event("customer.created", Now, new System.Text.Json.Nodes.JsonObject { ["id"] = "cus_x", ["object"] = "customer" });
        Assert.False(await Server.StripeAsync(stripe));

        var stored = await Server.QueryAsync(db => db.BillingEvents.Where(e => e.EventName == "license_key_created" || e.EventId == (string)stripe["id"]!).ToListAsync());
        Assert.Equal(2, stored.Count);
        Assert.All(stored, e => Assert.Equal("unknown", e.Outcome));
        Assert.Equal(100, (await user.MeAsync()).Credits.Balance);
    }

    [Fact]
    public async Task Oversized_and_malformed_bodies_are_refused()
    {
        var before = await Server.EventCountAsync();
        var huge = "{\"meta\":{\"event_name\":\"order_created\"},\"pad\":\"" + new string('x', 1024 * 1024) + "\"}";
        await ProblemAssert.ReadAsync(await Server.PostLsAsync(huge), HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        var broken = "{\"meta\": {\"event_name\": ";
        await ProblemAssert.ReadAsync(await Server.PostLsAsync(broken), HttpStatusCode.BadRequest, "invalid_event");
        await ProblemAssert.ReadAsync(await Server.PostLsAsync("{\"hello\":1}"), HttpStatusCode.BadRequest, "invalid_event");
        var notStripe = "[1,2,3]";
        await ProblemAssert.ReadAsync(await Server.PostStripeAsync(notStripe, await StripeSigner.HeaderAsync(notStripe, BillingHooks.StripeSecret, Server.Time.GetUtcNow())), HttpStatusCode.BadRequest, "invalid_event");
        Assert.Equal(before, await Server.EventCountAsync());
    }
}
