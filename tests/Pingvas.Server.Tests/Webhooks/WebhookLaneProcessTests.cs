using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Webhooks;

/// <summary>Two API processes of one PostgreSQL database run the webhook lane side by side: rows leased, never sent twice.</summary>
public sealed class WebhookLaneProcessTests
{
    [Fact]
    public async Task Two_processes_share_the_lane_and_send_every_message_once()
    {
        var settings = new TestSettings().With("Webhooks:AllowPrivateTargets", "true").With("Webhooks:TimeoutSeconds", "120");
        await using var first = await PingvasServer.StartAsync(settings, database: await TestDatabase.CreatePostgresAsync());

        // The same signing key and database: a second process of one deployment.
        var second = await PingvasServer.StartAsync(new TestSettings().With(new Dictionary<string, string>(first.Settings)), database: first.Database);
        try
        {
            var user = await first.RegisterAsync();
            await using var receiver = await WebhookReceiver.StartAsync();
            receiver.Hold("/slow");
            var slow = await user.CreateEndpointAsync(receiver.Url("/slow"));
            var held = new List<Guid>();
            for (var i = 0; i < 4; i++)
            {
                held.Add(await user.SendTestAsync(slow.Id));
            }

            // Each process sends the held target one message at a time: two in flight, one per process.
            await Eventually.UntilAsync(() => Task.FromResult(receiver.HeldAt("/slow") == 2), TimeSpan.FromSeconds(30), "both processes should send the slow target one message");

            // Other targets still get theirs, from either process.
            var fast = await user.CreateEndpointAsync(receiver.Url("/fast"));
            var quick = new List<Guid>();
            for (var i = 0; i < 3; i++)
            {
                quick.Add(await user.SendTestAsync(fast.Id));
            }

            foreach (var id in quick)
            {
                await user.WaitForDeliveryAsync(fast.Id, id, d => d.Status == "delivered", "another target's message should get through");
            }

            Assert.Equal(2, receiver.HeldAt("/slow"));
            receiver.Release("/slow");
            foreach (var id in held)
            {
                await user.WaitForDeliveryAsync(slow.Id, id, d => d.Status == "delivered" && d.Attempts == 1, "every held message should be delivered at its first attempt");
            }

            // Each message reached its receiver exactly once.
            Assert.Equal(4, receiver.At("/slow").Select(r => r.Id).Distinct().Count());
            Assert.Equal(4, receiver.At("/slow").Count);
            Assert.Equal(3, receiver.At("/fast").Count);
        }
        finally
        {
            // Stopped, not disposed: the first server drops the shared database.
            await second.StopAsync();
        }
    }
}
