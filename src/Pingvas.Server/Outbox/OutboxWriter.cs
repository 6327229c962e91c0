using Pingvas.Server.Data;

namespace Pingvas.Server.Outbox;

/// <summary>
/// Writes outbox messages into the caller's context, so they commit with the state change they
/// report, or not at all. After the commit the caller wakes the dispatchers
/// (<see cref="OutboxSignal.Wake"/>); on PostgreSQL an insert trigger also sends a <c>NOTIFY</c>
/// at commit, which wakes the other processes' dispatchers.
/// </summary>
public sealed class OutboxWriter(PingvasDb db, TimeProvider time)
{
    public OutboxMessage Add(string topic, Guid? userId, string payload)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var message = new OutboxMessage
        {
            Id = Ids.New(),
            Topic = topic,
            UserId = userId,
            Payload = payload,
            CreatedAt = now,
            AvailableAt = now,
        };
        db.Outbox.Add(message);
        return message;
    }
}
