using System.Text.Json;

namespace Pingvas.Server.Webhooks;

public sealed record CreateWebhookRequest(string? Url, IReadOnlyList<string>? Events, string? Description);

public sealed record UpdateWebhookRequest(string? Url, IReadOnlyList<string>? Events, string? Description, bool? Enabled);

public sealed record RotateSecretRequest(int? OverlapHours);

public sealed record WebhookEndpointDto(
    Guid Id, string Url, IReadOnlyList<string> Events, string? Description, bool Enabled, string? DisabledReason, DateTime CreatedAt, string? Secret = null);

/// <summary>The answer of <c>GET /webhook-endpoints</c>: <c>{items}</c>, as every list of the API.</summary>
public sealed record WebhookEndpointList(IReadOnlyList<WebhookEndpointDto> Items);

public sealed record WebhookSecretDto(string Secret);

public sealed record WebhookTestDto(Guid DeliveryId);

public sealed record WebhookDeliveryDto(
    Guid Id, string EventType, Guid? GenerationId, string Status, int Attempts, int? LastStatusCode, string? LastError,
    DateTime? NextAttemptAt, DateTime CreatedAt, DateTime? DeliveredAt, IReadOnlyList<WebhookAttempt> AttemptsLog,
    Guid? EndpointId, string Url)
{
    /// <param name="d">The delivery; <see cref="EndpointId"/> is null for a generation's own <c>webhook</c> URL.</param>
    public static WebhookDeliveryDto From(WebhookDelivery d) => new(
        d.Id, d.EventType, d.GenerationId, d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.NextAttemptAt, d.CreatedAt, d.DeliveredAt,
        JsonSerializer.Deserialize<List<WebhookAttempt>>(d.AttemptsLog, WebhookPublisher.Json) ?? [], d.EndpointId, d.Url);
}

public enum WebhookErrorKind
{
    NotFound,
    Invalid,
    Forbidden,
    Limit,
}

/// <summary>Why a webhook request was refused; the endpoints turn it into a problem.</summary>
public sealed record WebhookError(WebhookErrorKind Kind, string Field = "", string Message = "");
