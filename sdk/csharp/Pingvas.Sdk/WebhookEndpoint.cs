namespace Pingvas.Sdk;

/// <summary>A webhook endpoint. <see cref="Secret"/> (<c>whsec_…</c>) is set only in the answer that creates it.</summary>
public sealed record WebhookEndpoint(
    Guid Id, string Url, IReadOnlyList<string> Events, string? Description, bool Enabled, string? DisabledReason,
    DateTimeOffset CreatedAt, string? Secret = null);

/// <summary>The webhook event types an endpoint can subscribe to.</summary>
public static class WebhookEventTypes
{
    public const string GenerationQueued = "generation.queued";
    public const string GenerationStarted = "generation.started";
    public const string GenerationSucceeded = "generation.succeeded";
    public const string GenerationFailed = "generation.failed";
    public const string GenerationCancelled = "generation.cancelled";
    public const string CreditsLow = "credits.low";
}

/// <summary>One delivery of a webhook message to an endpoint, with its attempts.</summary>
public sealed record WebhookDelivery(
    Guid Id, string EventType, Guid? GenerationId, string Status, int Attempts, int? LastStatusCode, string? LastError,
    DateTimeOffset? NextAttemptAt, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt, IReadOnlyList<WebhookAttempt> AttemptsLog);

public sealed record WebhookAttempt(DateTimeOffset At, int? StatusCode, long DurationMs, string? Error);
