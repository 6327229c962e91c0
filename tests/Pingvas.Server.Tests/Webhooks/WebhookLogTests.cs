using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Tests.Developer;
using Pingvas.Server.Tests.Email;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Webhooks;

namespace Pingvas.Server.Tests.Webhooks;

/// <summary>The delivery log: a generation's own deliveries (its <c>webhook</c> URL included) for its owner only, and pruning after <c>Webhooks:DeliveryLogDays</c>.</summary>
public sealed class WebhookLogTests(WebhookServerFixture fixture) : IClassFixture<WebhookServerFixture>
{
    private PingvasServer Server => fixture.Server;

    [Fact]
    public async Task A_generations_deliveries_are_listed_for_its_owner_with_its_own_webhook_url()
    {
        var (user, key, _) = await ApiKeyKit.StarterWithKeyAsync(Server, "generate", "webhooks");
        await Server.SetBalanceAsync(user.Id, 50);
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await user.CreateEndpointAsync(receiver.Url("/endpoint"));
        using var client = ApiKeyKit.Client(Server, key);
        var submitted = await client.PostAsJsonAsync("/api/v1/generations", new
        {
            prompt = "a lighthouse at dusk",
            model = "sd-1.5",
            width = 64,
            height = 64,
            steps = 4,
            seed = 7,
            batchSize = 1,
            webhook = receiver.Url("/own"),
        });
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var job = (await submitted.Content.ReadFromJsonAsync<GenerationBody>(Json.Options))!;
        Assert.Equal("succeeded", (await user.WaitForAsync(job.Id)).Status);
        await receiver.WaitForReceivedAsync("/own", 1);

        var path = $"/api/v1/generations/{job.Id}/webhook-deliveries";
        List<DeliveryBody> items = [];
        await Eventually.UntilAsync(async () =>
        {
            items = (await client.GetFromJsonAsync<PageBody<DeliveryBody>>(path, Json.Options))!.Items;
            return items.Count == 2 && items.All(d => d.Status == "delivered");
        }, TimeSpan.FromSeconds(30), "both deliveries of the generation should be listed, delivered");
        var own = Assert.Single(items, d => d.EndpointId is null);
        Assert.Equal((receiver.Url("/own"), "generation.succeeded", job.Id, 200), (own.Url, own.EventType, own.GenerationId, own.LastStatusCode));
        Assert.Equal(200, Assert.Single(own.AttemptsLog).StatusCode);
        var viaEndpoint = Assert.Single(items, d => d.EndpointId == endpoint.Id);
        Assert.Equal(receiver.Url("/endpoint"), viaEndpoint.Url);

        // Pages, newest first.
        var first = (await client.GetFromJsonAsync<PageBody<DeliveryBody>>($"{path}?limit=1", Json.Options))!;
        var second = (await client.GetFromJsonAsync<PageBody<DeliveryBody>>($"{path}?limit=1&cursor={first.NextCursor}", Json.Options))!;
        Assert.Equal(items.Select(d => d.Id), first.Items.Concat(second.Items).Select(d => d.Id));
        Assert.Null(second.NextCursor);

        // Not another user's, not without the webhooks scope, not an unknown generation.
        var stranger = await Server.RegisterAsync();
        await ProblemAssert.ReadAsync(await stranger.Client.GetAsync(path), HttpStatusCode.NotFound, "not_found");
        await ProblemAssert.ReadAsync(await user.Client.GetAsync($"/api/v1/generations/{Guid.NewGuid()}/webhook-deliveries"), HttpStatusCode.NotFound, "not_found");
        var readOnly = (await ApiKeyKit.CreateAsync(user, ["read"])).GetProperty("key").GetString()!;
        using var reader = ApiKeyKit.Client(Server, readOnly);
        await ProblemAssert.ReadAsync(await reader.GetAsync(path), HttpStatusCode.Forbidden, "api_key_scope_missing");
    }

    [Fact]
    public async Task Deliveries_older_than_the_log_days_are_pruned()
    {
        var user = await Server.RegisterAsync();
        var now = Server.Time.GetUtcNow().UtcDateTime;
        var old = Delivery(user.Id, now.AddDays(-31));
        var recent = Delivery(user.Id, now.AddDays(-29));
        await Server.QueryAsync(db =>
        {
            db.WebhookDeliveries.AddRange(old, recent);
            return db.SaveChangesAsync();
        });

        Assert.True(await Server.Services.GetRequiredService<WebhookDeliveryPruner>().RunOnceAsync(CancellationToken.None) >= 1);
        var left = await Server.QueryAsync(db => db.WebhookDeliveries.Where(d => d.UserId == user.Id).Select(d => d.Id).ToListAsync());
        Assert.Equal([recent.Id], left);
    }

    private static WebhookDelivery Delivery(Guid userId, DateTime createdAt) => new()
    {
        Id = Guid.NewGuid(),
        UserId = userId,
        Url = "https://example.com/hook",
        MessageId = Guid.NewGuid(),
        EventType = WebhookEvents.Test,
        Body = "{}",
        Status = WebhookDelivery.Delivered,
        Attempts = 1,
        CreatedAt = createdAt,
        DeliveredAt = createdAt,
    };
}
