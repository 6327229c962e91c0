namespace Pingvas.Server.Webhooks;

/// <summary>One message to one target, with every attempt made to send it.</summary>
public sealed class WebhookDelivery
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";

    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>Null for a per-generation webhook (signed with the default secret).</summary>
    public Guid? EndpointId { get; set; }

    public required string Url { get; set; }

    /// <summary>The <c>webhook-id</c> (<c>msg_</c> + this); a redelivery keeps it.</summary>
    public Guid MessageId { get; set; }

    public required string EventType { get; set; }

    public Guid? GenerationId { get; set; }

    /// <summary>The exact JSON body sent at every attempt.</summary>
    public required string Body { get; set; }

    public string Status { get; set; } = Pending;

    public int Attempts { get; set; }

    public int? LastStatusCode { get; set; }

    public string? LastError { get; set; }

    public DateTime? NextAttemptAt { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? DeliveredAt { get; set; }

    /// <summary>JSON array of <see cref="WebhookAttempt"/>.</summary>
    public string AttemptsLog { get; set; } = "[]";
}

public sealed record WebhookAttempt(DateTime At, int? StatusCode, long DurationMs, string? Error);
