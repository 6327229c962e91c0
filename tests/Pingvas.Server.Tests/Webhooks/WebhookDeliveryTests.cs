using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Pingvas.Server.Tests.Email;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Webhooks;

/// <summary>Sending: Standard Webhooks signatures (checked by the standardwebhooks npm package), retries with backoff, order per generation, redelivery and rotation.</summary>
public sealed class WebhookDeliveryTests(WebhookServerFixture fixture) : IClassFixture<WebhookServerFixture>
{
    private PingvasServer Server => fixture.Server;

    [Fact]
    public async Task A_test_event_is_signed_as_standard_webhooks_specify()
    {
        var user = await Server.RegisterAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await user.CreateEndpointAsync(receiver.Url("/signed"));
        var id = await user.SendTestAsync(endpoint.Id);
        var delivered = await user.WaitForDeliveryAsync(endpoint.Id, id, d => d.Status == "delivered", "the test event should be delivered");
        Assert.Equal((1, 200, "webhook.test"), (delivered.Attempts, delivered.LastStatusCode, delivered.EventType));
        Assert.Equal(200, Assert.Single(delivered.AttemptsLog).StatusCode);
        Assert.NotNull(delivered.DeliveredAt);

        var message = Assert.Single(receiver.Received);
        Assert.StartsWith("msg_", message.Id);
        Assert.Equal("webhook.test", message.Type);
        var body = JsonDocument.Parse(message.Body).RootElement;
        Assert.True(body.TryGetProperty("timestamp", out _));
        Assert.Equal(endpoint.Id, body.GetProperty("data").GetProperty("endpointId").GetGuid());
        Assert.True(await WebhookVerifier.VerifiesAsync(message, endpoint.Secret!, Server.Time.GetUtcNow()));

        // Another secret, or a body changed on the way, does not verify.
        var other = "whsec_" + Convert.ToBase64String(new byte[32]);
        Assert.False(await WebhookVerifier.VerifiesAsync(message, other, Server.Time.GetUtcNow()));
        Assert.False(await WebhookVerifier.VerifiesAsync(message with { Body = message.Body.Replace("test", "tEst") }, endpoint.Secret!, Server.Time.GetUtcNow()));
    }

    [Fact]
    public async Task A_failing_receiver_is_retried_with_backoff_and_then_delivered()
    {
        var user = await Server.RegisterAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await user.CreateEndpointAsync(receiver.Url("/retry"));
        receiver.FailNext(3);
        var id = await user.SendTestAsync(endpoint.Id);

        // About 5 s, 30 s, 2 min (±20% jitter, counted from when the attempt was recorded, a moment
        // after it started): each pause waits for the clock, then the next attempt is made.
        (double Low, double High)[] pauses = [(4, 8), (24, 38), (96, 146)];
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var failed = await user.WaitForDeliveryAsync(endpoint.Id, id, d => d.Attempts >= attempt, $"attempt {attempt} should be made");
            if (failed.Attempts > attempt)
            {
                continue; // A slow machine: the 5 s pause passed in real time before the clock was moved.
            }

            Assert.Equal(("pending", 500), (failed.Status, failed.LastStatusCode));
            var pause = (failed.NextAttemptAt!.Value - failed.AttemptsLog[^1].At).TotalSeconds;
            Assert.InRange(pause, pauses[attempt - 1].Low, pauses[attempt - 1].High);
            await Server.JumpPastAsync(failed.NextAttemptAt.Value);
        }

        var delivered = await user.WaitForDeliveryAsync(endpoint.Id, id, d => d.Status == "delivered", "the fourth attempt should get through");
        Assert.Equal([500, 500, 500, 200], delivered.AttemptsLog.Select(a => a.StatusCode));
        Assert.Null(delivered.NextAttemptAt);

        // One message: every attempt carries the same webhook-id; each is signed anew and verifies.
        Assert.Equal(4, receiver.Received.Count);
        Assert.Single(receiver.Received.Select(r => r.Id).Distinct());
        Assert.True(await WebhookVerifier.VerifiesAsync(receiver.Received.Last(), endpoint.Secret!, Server.Time.GetUtcNow()));
    }

    [Fact]
    public async Task A_generations_events_arrive_in_order_even_when_the_first_fails()
    {
        var user = await Server.RegisterAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await user.CreateEndpointAsync(receiver.Url("/order"), "generation.queued", "generation.started", "generation.succeeded");
        await Server.SetBalanceAsync(user.Id, 50);
        receiver.FailNext(1);
        var job = await user.SubmitAsync();
        Assert.Equal("succeeded", (await user.WaitForAsync(job.Id)).Status);

        // "queued" failed first: "started" and "succeeded" wait for its retry.
        await Eventually.UntilAsync(async () => (await user.DeliveriesAsync(endpoint.Id)).Count == 3, TimeSpan.FromSeconds(15), "three deliveries should exist");
        var queued = (await user.DeliveriesAsync(endpoint.Id)).Single(d => d.EventType == "generation.queued");
        queued = await user.WaitForDeliveryAsync(endpoint.Id, queued.Id, d => d.Attempts >= 1, "queued should be tried");
        if (queued.NextAttemptAt is { } next)
        {
            await Server.JumpPastAsync(next);
        }

        var got = await receiver.WaitForReceivedAsync("/order", 3, r => r.Answered == 200);
        Assert.Equal(("generation.queued", 500), (receiver.Received.First().Type, receiver.Received.First().Answered));
        Assert.Equal(["generation.queued", "generation.started", "generation.succeeded"], got.Select(r => r.Type));
        var last = JsonDocument.Parse(got[^1].Body).RootElement.GetProperty("data");
        Assert.Equal((job.Id, "succeeded"), (last.GetProperty("id").GetGuid(), last.GetProperty("status").GetString()));
        Assert.Equal(1, last.GetProperty("images").GetArrayLength());
        Assert.All((await user.DeliveriesAsync(endpoint.Id)), d => Assert.Equal(job.Id, d.GenerationId));
    }

    [Fact]
    public async Task A_delivery_can_be_redelivered_with_the_same_webhook_id()
    {
        var user = await Server.RegisterAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await user.CreateEndpointAsync(receiver.Url("/again"));
        var first = await user.SendTestAsync(endpoint.Id);
        await user.WaitForDeliveryAsync(endpoint.Id, first, d => d.Status == "delivered", "the first delivery should arrive");

        var response = await user.Client.PostAsync($"/api/v1/webhook-deliveries/{first}/redeliver", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var second = (await response.Content.ReadFromJsonAsync<DeliveryIdBody>(Json.Options))!.DeliveryId;
        Assert.NotEqual(first, second);
        await user.WaitForDeliveryAsync(endpoint.Id, second, d => d.Status == "delivered", "the redelivery should arrive");

        var received = await receiver.WaitForReceivedAsync("/again", 2);
        Assert.Equal(received[0].Id, received[1].Id);
        Assert.Equal(received[0].Body, received[1].Body);
        Assert.Equal(2, (await user.DeliveriesAsync(endpoint.Id)).Count);
    }

    [Fact]
    public async Task During_a_rotation_both_secrets_sign_and_afterwards_only_the_new_one()
    {
        var user = await Server.RegisterAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await user.CreateEndpointAsync(receiver.Url("/rotate"));
        var rotated = await user.Client.PostAsJsonAsync($"/api/v1/webhook-endpoints/{endpoint.Id}/rotate-secret", new { overlapHours = 1 });
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var secret = (await rotated.Content.ReadFromJsonAsync<SecretBody>(Json.Options))!.Secret;

        await user.SendTestAsync(endpoint.Id);
        var during = (await receiver.WaitForReceivedAsync("/rotate", 1))[0];
        Assert.Equal(2, during.Headers["webhook-signature"].Split(' ').Length);
        Assert.True(await WebhookVerifier.VerifiesAsync(during, endpoint.Secret!, Server.Time.GetUtcNow()));
        Assert.True(await WebhookVerifier.VerifiesAsync(during, secret, Server.Time.GetUtcNow()));

        await Server.JumpClockAsync(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        await user.SendTestAsync(endpoint.Id);
        var after = (await receiver.WaitForReceivedAsync("/rotate", 2))[1];
        Assert.Single(after.Headers["webhook-signature"].Split(' '));
        Assert.False(await WebhookVerifier.VerifiesAsync(after, endpoint.Secret!, Server.Time.GetUtcNow()));
        Assert.True(await WebhookVerifier.VerifiesAsync(after, secret, Server.Time.GetUtcNow()));
    }

    [Fact]
    public async Task A_per_generation_webhook_gets_its_events_in_order_signed_with_the_default_secret()
    {
        var user = await Server.RegisterAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var request = new
        {
            prompt = "a lighthouse at dusk",
            model = "sd-1.5",
            width = 64,
            height = 64,
            steps = 4,
            seed = 7,
            batchSize = 1,
            webhook = receiver.Url("/generation"),
            webhookEvents = new[] { "generation.queued", "generation.started", "generation.succeeded" },
        };
        await Server.SetBalanceAsync(user.Id, 50);
        var job = await user.SubmitAsync(request);
        Assert.Equal("succeeded", (await user.WaitForAsync(job.Id)).Status);
        var got = await receiver.WaitForReceivedAsync("/generation", 3);
        Assert.Equal(["generation.queued", "generation.started", "generation.succeeded"], got.Select(r => r.Type));

        var secret = (await user.Client.GetFromJsonAsync<SecretBody>("/api/v1/webhooks/default/secret", Json.Options))!.Secret;
        foreach (var message in got)
        {
            Assert.True(await WebhookVerifier.VerifiesAsync(message, secret, Server.Time.GetUtcNow()), message.Type);
            Assert.Equal(job.Id, JsonDocument.Parse(message.Body).RootElement.GetProperty("data").GetProperty("id").GetGuid());
        }

        // Without webhookEvents only the terminal event is sent; bad values are refused before anything is queued.
        var quiet = await user.SubmitAsync(new { prompt = "b", model = "sd-1.5", width = 64, height = 64, steps = 4, seed = 7, batchSize = 1, webhook = receiver.Url("/terminal") });
        await user.WaitForAsync(quiet.Id);
        Assert.Equal(["generation.succeeded"], (await receiver.WaitForReceivedAsync("/terminal", 1)).Select(r => r.Type));
        await ProblemAssert.ValidationAsync(await user.Client.PostAsJsonAsync("/api/v1/generations",
            new { prompt = "c", model = "sd-1.5", width = 64, height = 64, steps = 4, webhook = "ftp://93.184.215.14/x" }), "webhook");
        await ProblemAssert.ValidationAsync(await user.Client.PostAsJsonAsync("/api/v1/generations",
            new { prompt = "c", model = "sd-1.5", width = 64, height = 64, steps = 4, webhook = receiver.Url(), webhookEvents = new[] { "credits.low" } }), "webhookEvents");
        Assert.Equal(2, (await user.Client.GetFromJsonAsync<PageBody<GenerationBody>>("/api/v1/generations", Json.Options))!.Items.Count);
    }

    [Fact]
    public async Task Credits_low_fires_once()
    {
        var user = await Server.RegisterAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await user.CreateEndpointAsync(receiver.Url("/credits"), "credits.low");
        await Server.SetBalanceAsync(user.Id, 11);
        Assert.Equal("succeeded", (await user.WaitForAsync((await user.SubmitAsync()).Id)).Status);
        var low = Assert.Single(await receiver.WaitForReceivedAsync("/credits", 1));
        var data = JsonDocument.Parse(low.Body).RootElement.GetProperty("data");
        Assert.Equal(("credits.low", 10, 10), (low.Type, data.GetProperty("balance").GetInt32(), data.GetProperty("threshold").GetInt32()));

        // Still low after the next job: not sent again.
        Assert.Equal("succeeded", (await user.WaitForAsync((await user.SubmitAsync()).Id)).Status);
        Assert.Single(await user.DeliveriesAsync(endpoint.Id));
    }
}
