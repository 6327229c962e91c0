using Pingvas.Server.Tests.Email;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Tests.Webhooks;

namespace Pingvas.Server.Tests.Telemetry;

/// <summary>The delivery and credit counters move with real sends: an email over SMTP, a webhook to a receiver, the Free credits of a verified address.</summary>
public sealed class MetricsDeliveryTests : IAsyncLifetime
{
    private SmtpServer smtp = null!;
    private PingvasServer server = null!;

    public async Task InitializeAsync()
    {
        smtp = await SmtpServer.StartAsync();
        server = await PingvasServer.StartAsync(new TestSettings()
            .With(smtp.AppSettings())
            .With("Webhooks:AllowPrivateTargets", "true")
            .With("Outbox:PollMilliseconds", "100"));
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await smtp.DisposeAsync();
    }

    [Fact]
    public async Task A_sent_email_a_delivered_webhook_and_granted_credits_are_counted()
    {
        using var client = server.CreateClient();
        Assert.Contains("pingvas_webhook_deliveries_total{outcome=\"delivered\"} 0\n", await client.GetStringAsync("/metrics"));

        var user = await server.VerifiedUserAsync(smtp);
        await server.SetPlanAsync(user.Id, "starter");
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await user.CreateEndpointAsync(receiver.Url("/metrics-test"));
        var id = await user.SendTestAsync(endpoint.Id);
        await user.WaitForDeliveryAsync(endpoint.Id, id, d => d.Status == "delivered", "the test event should be delivered");

        // The delivery is recorded after its transaction commits, a moment after the API shows it.
        string text = "";
        await Eventually.UntilAsync(
            async () => (text = await client.GetStringAsync("/metrics")).Contains("pingvas_webhook_deliveries_total{outcome=\"delivered\"} 1\n"),
            TimeSpan.FromSeconds(10), "the delivery should be counted");
        Assert.Contains("pingvas_emails_total{outcome=\"sent\",template=\"welcome\"} 1\n", text);
        Assert.Contains("pingvas_emails_total{outcome=\"failed\",template=\"welcome\"} 0\n", text);
        Assert.Contains("pingvas_credits_granted_total{kind=\"plan\"} 100\n", text);
    }
}
