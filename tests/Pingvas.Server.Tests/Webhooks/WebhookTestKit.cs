using System.Net;
using System.Net.Http.Json;

using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Webhooks;

namespace Pingvas.Server.Tests.Webhooks;

public sealed record EndpointBody(Guid Id, string Url, List<string> Events, string? Description, bool Enabled, string? DisabledReason, DateTime CreatedAt, string? Secret);

public sealed record EndpointList(List<EndpointBody> Items);

public sealed record SecretBody(string Secret);

public sealed record DeliveryIdBody(Guid DeliveryId);

public sealed record AttemptBody(DateTime At, int? StatusCode, long DurationMs, string? Error);

public sealed record DeliveryBody(
    Guid Id, string EventType, Guid? GenerationId, string Status, int Attempts, int? LastStatusCode, string? LastError,
    DateTime? NextAttemptAt, DateTime CreatedAt, DateTime? DeliveredAt, List<AttemptBody> AttemptsLog, Guid? EndpointId = null, string? Url = null);

/// <summary>A server whose webhooks may reach loopback (the receivers run there), with a real SMTP server and a quick outbox poll.</summary>
public sealed class WebhookServerFixture : IAsyncLifetime
{
    public SmtpServer Smtp { get; private set; } = null!;

    public PingvasServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Smtp = await SmtpServer.StartAsync();
        Server = await PingvasServer.StartAsync(new TestSettings()
            .With(Smtp.AppSettings())
            .With("Webhooks:AllowPrivateTargets", "true")
            .With("Outbox:PollMilliseconds", "100"));
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

/// <summary>What the webhook tests do again and again.</summary>
public static class WebhookTestKit
{
    public static readonly string[] GenerationEvents =
        ["generation.queued", "generation.started", "generation.succeeded", "generation.failed", "generation.cancelled"];

    public static WebhookTargets Targets(this PingvasServer server) => server.Services.GetRequiredService<WebhookTargets>();

    public static async Task<EndpointBody> CreateEndpointAsync(this TestUser user, string url, params string[] events)
    {
        var response = await user.Client.PostAsJsonAsync("/api/v1/webhook-endpoints", new { url, events = events.Length == 0 ? ["generation.succeeded"] : events });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<EndpointBody>(Json.Options))!;
    }

    public static async Task<Guid> SendTestAsync(this TestUser user, Guid endpointId)
    {
        var response = await user.Client.PostAsync($"/api/v1/webhook-endpoints/{endpointId}/test", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<DeliveryIdBody>(Json.Options))!.DeliveryId;
    }

    public static async Task<List<DeliveryBody>> DeliveriesAsync(this TestUser user, Guid endpointId) =>
        (await user.Client.GetFromJsonAsync<PageBody<DeliveryBody>>($"/api/v1/webhook-endpoints/{endpointId}/deliveries?limit=100", Json.Options))!.Items;

    /// <summary>Waits until the delivery satisfies <paramref name="condition"/> and returns it.</summary>
    public static async Task<DeliveryBody> WaitForDeliveryAsync(this TestUser user, Guid endpointId, Guid deliveryId, Func<DeliveryBody, bool> condition, string because)
    {
        DeliveryBody? found = null;
        await Eventually.UntilAsync(async () =>
        {
            found = (await user.DeliveriesAsync(endpointId)).SingleOrDefault(d => d.Id == deliveryId);
            return found is not null && condition(found);
        }, TimeSpan.FromSeconds(30), because, TimeSpan.FromMilliseconds(100));
        return found!;
    }

    /// <summary>Moves the server's clock just past the delivery's next attempt.</summary>
    public static async Task JumpPastAsync(this PingvasServer server, DateTime nextAttemptAt)
    {
        var now = server.Time.GetUtcNow().UtcDateTime;
        if (nextAttemptAt > now)
        {
            await server.JumpClockAsync(nextAttemptAt - now + TimeSpan.FromMilliseconds(500));
        }
    }

    public static async Task<List<ReceivedWebhook>> WaitForReceivedAsync(this WebhookReceiver receiver, string path, int count, Func<ReceivedWebhook, bool>? which = null)
    {
        which ??= _ => true;
        await Eventually.UntilAsync(() => Task.FromResult(receiver.At(path).Count(which) >= count), TimeSpan.FromSeconds(30),
            $"{count} webhook(s) should reach {path}", TimeSpan.FromMilliseconds(100));
        return receiver.At(path).Where(which).ToList();
    }
}
