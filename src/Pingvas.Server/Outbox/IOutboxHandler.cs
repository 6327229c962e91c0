namespace Pingvas.Server.Outbox;

/// <summary>Delivers the outbox messages of one topic. Delivery is at least once: handlers must tolerate a repeat.</summary>
public interface IOutboxHandler
{
    string Topic { get; }

    /// <summary>Delivers the message; throws to have it retried later.</summary>
    Task DeliverAsync(OutboxMessage message, CancellationToken ct);
}
