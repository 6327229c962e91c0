namespace Pingvas.Server.Webhooks;

/// <summary>A URL a user registered to receive events (docs/developer-platform.md "Webhooks").</summary>
public sealed class WebhookEndpoint
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required string Url { get; set; }

    /// <summary>The subscribed <see cref="WebhookEvents"/>, comma-separated.</summary>
    public required string Events { get; set; }

    public string? Description { get; set; }

    public bool Enabled { get; set; }

    /// <summary><c>failing</c> when the sender disabled it; null when enabled or turned off by its owner.</summary>
    public string? DisabledReason { get; set; }

    /// <summary>The signing secret, encrypted (<see cref="WebhookSecrets"/>).</summary>
    public required string Secret { get; set; }

    /// <summary>The secret before the last rotation, encrypted; also signs until <see cref="PreviousSecretUntil"/>.</summary>
    public string? PreviousSecret { get; set; }

    public DateTime? PreviousSecretUntil { get; set; }

    /// <summary>The first failed attempt since the last success; 3 days later the endpoint is disabled.</summary>
    public DateTime? FailingSince { get; set; }

    public DateTime CreatedAt { get; set; }

    public IReadOnlyList<string> EventList => Events.Split(',', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>The account's default secret: signs per-generation webhooks (POST /generations {webhook}).</summary>
public sealed class WebhookDefaultSecret
{
    public Guid UserId { get; set; }

    public required string Secret { get; set; }

    public string? PreviousSecret { get; set; }

    public DateTime? PreviousSecretUntil { get; set; }

    public DateTime CreatedAt { get; set; }
}
