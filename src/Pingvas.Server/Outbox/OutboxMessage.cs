namespace Pingvas.Server.Outbox;

/// <summary>
/// A side effect that must not be lost (a terminal job event now; webhooks and emails later),
/// written in the same transaction as the state change it reports and delivered afterwards by
/// <see cref="OutboxDispatcher"/>. The row is the truth; wake-ups only make delivery prompt.
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }

    /// <summary>Which <see cref="IOutboxHandler"/> delivers it, e.g. <c>generation.event</c>.</summary>
    public required string Topic { get; set; }

    /// <summary>The user it concerns (row-level security), or null for system messages.</summary>
    public Guid? UserId { get; set; }

    /// <summary>
    /// Messages with the same key are delivered one at a time by a lane (<see cref="OutboxLane"/>),
    /// e.g. a webhook's target; null: no such limit.
    /// </summary>
    public string? PartitionKey { get; set; }

    /// <summary>JSON, read by the topic's handler.</summary>
    public required string Payload { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>Not tried again before this time (backoff after a failed delivery).</summary>
    public DateTime AvailableAt { get; set; }

    /// <summary>A dispatcher is delivering it until then; after that another may take it over.</summary>
    public DateTime? LockedUntil { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }

    public DateTime? DeliveredAt { get; set; }

    /// <summary>Set when delivery was given up after <see cref="OutboxOptions.MaxAttempts"/>.</summary>
    public DateTime? FailedAt { get; set; }
}
