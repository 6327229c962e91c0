using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Email;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Webhooks;

/// <summary>An endpoint failing for 3 days without a success is disabled and its owner emailed (its own server: the clock jumps days).</summary>
public sealed class WebhookDisableTests(WebhookServerFixture fixture) : IClassFixture<WebhookServerFixture>
{
    private PingvasServer Server => fixture.Server;

    [Fact]
    public async Task Three_days_of_failures_disable_the_endpoint_and_email_its_owner()
    {
        var user = await Server.VerifiedUserAsync(fixture.Smtp);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.FailAll = true;
        var endpoint = await user.CreateEndpointAsync(receiver.Url("/down"));
        var id = await user.SendTestAsync(endpoint.Id);
        var first = await user.WaitForDeliveryAsync(endpoint.Id, id, d => d.Attempts >= 1, "the first attempt should fail");
        Assert.Equal("pending", first.Status);

        // A day later the message is given up; the endpoint is still on (failing for a day only).
        await Server.JumpClockAsync(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        var failed = await user.WaitForDeliveryAsync(endpoint.Id, id, d => d.Status == "failed", "the message should be given up after 24 h");
        Assert.InRange(failed.Attempts, 2, 3);
        Assert.True((await user.Client.GetFromJsonAsync<EndpointBody>($"/api/v1/webhook-endpoints/{endpoint.Id}", Json.Options))!.Enabled);

        // Still failing 3 days after the first failure: disabled, and the owner is told.
        await Server.JumpClockAsync(TimeSpan.FromDays(2));
        var next = await user.SendTestAsync(endpoint.Id);
        await user.WaitForDeliveryAsync(endpoint.Id, next, d => d.Attempts >= 1, "the next message should be tried");
        var disabled = (await user.Client.GetFromJsonAsync<EndpointBody>($"/api/v1/webhook-endpoints/{endpoint.Id}", Json.Options))!;
        Assert.Equal((false, "failing"), (disabled.Enabled, disabled.DisabledReason));
        var mails = await fixture.Smtp.WaitForAsync(user.Email, 2);
        Assert.Equal("We turned off a webhook endpoint", mails[1].Subject);
        Assert.Contains(receiver.Url("/down"), mails[1].Text);

        // A disabled endpoint gets nothing new; re-enabling clears the streak and it is sent to again.
        receiver.FailAll = false;
        var patched = await user.Client.PatchAsJsonAsync($"/api/v1/webhook-endpoints/{endpoint.Id}", new { enabled = true });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var enabled = (await patched.Content.ReadFromJsonAsync<EndpointBody>(Json.Options))!;
        Assert.Equal((true, (string?)null), (enabled.Enabled, enabled.DisabledReason));
        var again = await user.SendTestAsync(endpoint.Id);
        await user.WaitForDeliveryAsync(endpoint.Id, again, d => d.Status == "delivered", "the re-enabled endpoint should receive");
        Assert.Contains(receiver.Received, r => r.Answered == 200);
    }
}
