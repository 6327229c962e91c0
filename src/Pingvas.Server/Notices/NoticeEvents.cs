using System.Text.Json;

using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Outbox;
using Pingvas.Server.Realtime;

namespace Pingvas.Server.Notices;

/// <summary>A new notice as an outbox message (topic <see cref="Topic"/>): sent to the owner's hub connections as the <c>notice</c> event.</summary>
public sealed record NoticeMessage(Guid UserId, NoticeDto Notice)
{
    public const string Topic = "notice";

    /// <summary>The hub event's name.</summary>
    public const string HubEvent = "notice";

    public static string Serialize(Guid userId, NoticeDto notice) => JsonSerializer.Serialize(new NoticeMessage(userId, notice), JsonSerializerOptions.Web);

    public static NoticeMessage Deserialize(string payload) =>
        JsonSerializer.Deserialize<NoticeMessage>(payload, JsonSerializerOptions.Web) ?? throw new JsonException("Empty notice message.");
}

/// <summary>Sends a notice to its owner's hub connections, on every API process.</summary>
public interface INoticeEvents
{
    /// <summary>Throws when the event could not be handed on, so the outbox tries again.</summary>
    Task SendAsync(Guid userId, NoticeDto notice, CancellationToken ct);
}

/// <summary>One process (SQLite): straight to the hub.</summary>
public sealed class HubNoticeEvents(IHubContext<ProgressHub> hub) : INoticeEvents
{
    public Task SendAsync(Guid userId, NoticeDto notice, CancellationToken ct) =>
        hub.Clients.Group(ProgressHub.GroupFor(userId)).SendAsync(NoticeMessage.HubEvent, notice, ct);
}

/// <summary>
/// PostgreSQL: <c>pg_notify</c> on <see cref="EventChannels.Notices"/>; every API process listens
/// and hands it to its own connections (<see cref="NoticeForwarder"/>). A notice is a few hundred bytes, far under NOTIFY's limit.
/// </summary>
public sealed class PostgresNoticeEvents(PingvasDb db) : INoticeEvents
{
    public Task SendAsync(Guid userId, NoticeDto notice, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_notify({EventChannels.Notices}, {NoticeMessage.Serialize(userId, notice)})", ct);
}

/// <summary>Forwards a notice heard on <see cref="EventChannels.Notices"/> to this process's hub connections of its owner.</summary>
public sealed class NoticeForwarder(IServiceProvider services, ILogger<NoticeForwarder> logger)
{
    public void Forward(string payload) => _ = ForwardAsync(payload);

    private async Task ForwardAsync(string payload)
    {
        try
        {
            var (userId, notice) = NoticeMessage.Deserialize(payload);
            var hub = services.GetRequiredService<IHubContext<ProgressHub>>();
            await hub.Clients.Group(ProgressHub.GroupFor(userId)).SendAsync(NoticeMessage.HubEvent, notice);
        }
        catch (Exception ex)
        {
            // Best effort: the notice is stored; the web app also reads GET /notices.
            logger.LogWarning(ex, "Could not forward a notice to the hub");
        }
    }
}

/// <summary>Delivers the outbox's notice events.</summary>
public sealed class NoticeEventHandler(INoticeEvents events) : IOutboxHandler
{
    public string Topic => NoticeMessage.Topic;

    public Task DeliverAsync(OutboxMessage message, CancellationToken ct)
    {
        var (userId, notice) = NoticeMessage.Deserialize(message.Payload);
        return events.SendAsync(userId, notice, ct);
    }
}
