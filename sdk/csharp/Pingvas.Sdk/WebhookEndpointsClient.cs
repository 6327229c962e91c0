using System.Globalization;

namespace Pingvas.Sdk;

/// <summary>Webhook endpoints (the key needs the <c>webhooks</c> scope).</summary>
public sealed class WebhookEndpointsClient
{
    private readonly PingvasClient client;

    internal WebhookEndpointsClient(PingvasClient client) => this.client = client;

    private static PingvasJsonContext Json => PingvasJsonContext.Default;

    /// <summary>Registers <paramref name="url"/> for <paramref name="events"/> (<see cref="WebhookEventTypes"/>); the answer's <c>Secret</c> is shown only now.</summary>
    public Task<WebhookEndpoint> CreateAsync(string url, IReadOnlyList<string> events, string? description = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        ArgumentNullException.ThrowIfNull(events);
        return client.SendAsync(
            new ApiRequest(Operations.CreateWebhookEndpoint)
            {
                Content = PingvasClient.Json(new CreateWebhookEndpointBody(url, events, description), Json.CreateWebhookEndpointBody),
            },
            Json.WebhookEndpoint,
            ct);
    }

    public async Task<IReadOnlyList<WebhookEndpoint>> ListAsync(CancellationToken ct = default) =>
        (await client.SendAsync(new ApiRequest(Operations.ListWebhookEndpoints), Json.ItemsBodyWebhookEndpoint, ct).ConfigureAwait(false)).Items;

    public Task<WebhookEndpoint> GetAsync(Guid id, CancellationToken ct = default) =>
        client.SendAsync(new ApiRequest(Operations.GetWebhookEndpoint) { Id = id.ToString() }, Json.WebhookEndpoint, ct);

    public Task DeleteAsync(Guid id, CancellationToken ct = default) =>
        client.SendAsync(new ApiRequest(Operations.DeleteWebhookEndpoint) { Id = id.ToString() }, ct);

    /// <summary>A new signing secret; for <paramref name="overlapHours"/> (0–72, default 24) deliveries are signed with both.</summary>
    public async Task<string> RotateSecretAsync(Guid id, int? overlapHours = null, CancellationToken ct = default) =>
        (await client.SendAsync(
            new ApiRequest(Operations.RotateWebhookEndpointSecret)
            {
                Id = id.ToString(),
                Content = PingvasClient.Json(new RotateSecretBody(overlapHours), Json.RotateSecretBody),
            },
            Json.SecretBody,
            ct).ConfigureAwait(false)).Secret;

    public Task<Page<WebhookDelivery>> ListDeliveriesPageAsync(Guid id, string? cursor = null, int? limit = null, CancellationToken ct = default) =>
        client.SendAsync(
            new ApiRequest(Operations.ListWebhookDeliveries)
            {
                Id = id.ToString(),
                Query = [new("cursor", cursor), new("limit", limit?.ToString(CultureInfo.InvariantCulture))],
            },
            Json.PageWebhookDelivery,
            ct);

    /// <summary>The endpoint's deliveries, newest first, with their attempts.</summary>
    public IAsyncEnumerable<WebhookDelivery> ListDeliveriesAsync(Guid id, CancellationToken ct = default) =>
        client.PagesAsync((cursor, token) => ListDeliveriesPageAsync(id, cursor, null, token), ct);
}
