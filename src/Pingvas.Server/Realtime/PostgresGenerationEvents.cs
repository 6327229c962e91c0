using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Data;
using Pingvas.Server.Generation;

namespace Pingvas.Server.Realtime;

/// <summary>
/// Publishes generation events with <c>pg_notify</c> on <see cref="EventChannels.Events"/>, on the
/// caller's own database connection. Every API process listens and forwards what it hears to its
/// SignalR connections (<see cref="EventForwarder"/>), this one included, so a browser on any
/// instance sees the progress of a job run by any worker. Inside an open transaction the event is
/// delivered at commit, and only if it commits (the submit publishes "queued" that way on purpose).
/// </summary>
public sealed class PostgresGenerationEvents(PingvasDb db, IOptions<JsonHubProtocolOptions> json, ILogger<PostgresGenerationEvents> logger) : IGenerationEvents
{
    public async Task PublishAsync(Guid userId, GenerationDto generation, CancellationToken ct)
    {
        var payload = GenerationEventPayload.Encode(userId, generation, json.Value.PayloadSerializerOptions);
        if (db.Database.CurrentTransaction is not null)
        {
            // A failure here has already aborted the caller's transaction: let the caller see it,
            // rather than commit an aborted transaction believing its writes were kept.
            await NotifyAsync(payload, ct);
            return;
        }

        try
        {
            await NotifyAsync(payload, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Progress is best effort: a failed push must never fail the job; clients can poll.
            logger.LogWarning(ex, "Could not publish progress of {JobId}", generation.Id);
        }
    }

    public Task SendAsync(Guid userId, GenerationDto generation, CancellationToken ct) =>
        NotifyAsync(GenerationEventPayload.Encode(userId, generation, json.Value.PayloadSerializerOptions), ct);

    private Task NotifyAsync(string payload, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_notify({EventChannels.Events}, {payload})", ct);
}
