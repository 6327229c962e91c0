using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Email;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Tests.Streams;
using Pingvas.Server.Webhooks;

namespace Pingvas.Server.Tests.Webhooks;

/// <summary>
/// Deliveries have their own outbox lane: a receiver that holds its answer (released by the test)
/// delays no email, no event of another user and no other endpoint; one target still gets one
/// message at a time and a generation's events in order; a lost "started" is written by the end.
/// </summary>
public sealed class WebhookLaneTests(WebhookLaneTests.Fixture fixture) : IClassFixture<WebhookLaneTests.Fixture>
{
    private PingvasServer Server => fixture.Server;

    /// <summary>A long webhook timeout, so a held receiver stays in flight for as long as a test holds it; a pause per step, so a job runs a while.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public SmtpServer Smtp { get; private set; } = null!;

        public PingvasServer Server { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Smtp = await SmtpServer.StartAsync();
            Server = await PingvasServer.StartAsync(new TestSettings { StepDelayMs = 100 }
                .With(Smtp.AppSettings())
                .With("Webhooks:AllowPrivateTargets", "true")
                .With("Webhooks:TimeoutSeconds", "120"));
        }

        public async Task DisposeAsync()
        {
            if (Server is not null)
            {
                await Server.DisposeAsync();
            }

            if (Smtp is not null)
            {
                await Smtp.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_receiver_holding_its_answer_delays_no_email_no_event_and_no_other_endpoint()
    {
        var user = await Server.RegisterAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Hold("/slow");
        var slow = await user.CreateEndpointAsync(receiver.Url("/slow"));
        var fast = await user.CreateEndpointAsync(receiver.Url("/fast"));
        var held = await user.SendTestAsync(slow.Id);
        await Eventually.UntilAsync(() => Task.FromResult(receiver.HeldAt("/slow") == 1), TimeSpan.FromSeconds(30), "the slow receiver should be sent its message");

        // Another endpoint of the same user.
        var quick = await user.SendTestAsync(fast.Id);
        await user.WaitForDeliveryAsync(fast.Id, quick, d => d.Status == "delivered", "the other endpoint should get its message meanwhile");

        // An email (the welcome of a sign-up goes through the outbox).
        var address = EmailTestKit.NewAddress("lane");
        await Server.SignUpAsync(address, "en");
        await fixture.Smtp.WaitForAsync(address);

        // Another user's final event on their stream (written to the outbox with the job's end).
        var other = await Server.RegisterAsync();
        await Server.SetBalanceAsync(other.Id, 50);
        await using var stream = await SseReader.OpenAsync(Server, "/api/v1/generations/events", other);
        var job = await other.SubmitAsync(TestUser.Request(steps: 2));
        var done = await stream.UntilAsync(e => e.JobId == job.Id && e.Status == "succeeded", TimeSpan.FromSeconds(60));
        Assert.Equal("generation", done.Event);

        // All the while the slow receiver held its one request.
        Assert.Equal(1, receiver.HeldAt("/slow"));
        Assert.Equal("pending", (await user.DeliveriesAsync(slow.Id)).Single(d => d.Id == held).Status);
        receiver.Release("/slow");
        await user.WaitForDeliveryAsync(slow.Id, held, d => d.Status == "delivered", "the slow receiver's message should be delivered once it answers");
        Assert.Single(receiver.At("/slow"));
    }

    [Fact]
    public async Task A_held_target_gets_one_message_at_a_time_and_a_generations_events_in_order()
    {
        var user = await Server.RegisterAsync();
        await Server.SetBalanceAsync(user.Id, 50);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Hold("/order");
        var endpoint = await user.CreateEndpointAsync(receiver.Url("/order"), "generation.queued", "generation.started", "generation.succeeded");
        var job = await user.SubmitAsync(TestUser.Request(steps: 2));
        Assert.Equal("succeeded", (await user.WaitForAsync(job.Id)).Status);

        // Three deliveries wait behind the held "queued": none is sent beside it.
        await Eventually.UntilAsync(async () => (await user.DeliveriesAsync(endpoint.Id)).Count == 3, TimeSpan.FromSeconds(30), "three deliveries should exist");
        await Eventually.UntilAsync(() => Task.FromResult(receiver.HeldAt("/order") == 1), TimeSpan.FromSeconds(30), "queued should be in flight");
        Assert.All((await user.DeliveriesAsync(endpoint.Id)).Where(d => d.EventType != "generation.queued"), d => Assert.Equal(0, d.Attempts));

        receiver.Release("/order");
        var got = await receiver.WaitForReceivedAsync("/order", 3);
        Assert.Equal(["generation.queued", "generation.started", "generation.succeeded"], got.Select(r => r.Type));
        Assert.All(got, r => Assert.Equal(200, r.Answered));
        await Eventually.UntilAsync(async () => (await user.DeliveriesAsync(endpoint.Id)).All(d => d.Status == "delivered"), TimeSpan.FromSeconds(30), "all three should be delivered");
    }

    [Fact]
    public async Task A_lost_started_event_is_written_by_the_generations_end_and_sent_before_it()
    {
        var user = await Server.RegisterAsync();
        await Server.SetBalanceAsync(user.Id, 50);
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await user.CreateEndpointAsync(receiver.Url("/lost"), "generation.started", "generation.succeeded");
        var job = await user.SubmitAsync(TestUser.Request(steps: 40));

        // "started" is written just after the claim; lose it as a crash between the two would.
        await Eventually.UntilAsync(
            async () => await Server.QueryAsync(db => db.WebhookDeliveries.Where(d => d.GenerationId == job.Id && d.EventType == WebhookEvents.Started).ExecuteDeleteAsync()) == 1,
            TimeSpan.FromSeconds(30), "the started delivery should be written", TimeSpan.FromMilliseconds(20));
        var finished = await user.WaitForAsync(job.Id);
        Assert.Equal("succeeded", finished.Status);

        await Eventually.UntilAsync(async () => (await user.DeliveriesAsync(endpoint.Id)).Count(d => d.Status == "delivered") == 2, TimeSpan.FromSeconds(30), "started and succeeded should be delivered");
        var deliveries = (await user.DeliveriesAsync(endpoint.Id)).OrderBy(d => d.CreatedAt).ToList();
        Assert.Equal(["generation.started", "generation.succeeded"], deliveries.Select(d => d.EventType));
        Assert.Equal(finished.StartedAt!.Value, deliveries[0].CreatedAt, TimeSpan.FromMilliseconds(1));

        // The receiver may have got the first "started" before it was lost; the rewritten one comes before the end.
        var got = await receiver.WaitForReceivedAsync("/lost", 2);
        Assert.Equal(["generation.started", "generation.succeeded"], got.TakeLast(2).Select(r => r.Type));
        var data = System.Text.Json.JsonDocument.Parse(got[^2].Body).RootElement.GetProperty("data");
        Assert.Equal((job.Id, "running"), (data.GetProperty("id").GetGuid(), data.GetProperty("status").GetString()));
    }
}
