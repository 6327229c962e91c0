using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

using Pingvas.Server.Generation;

namespace Pingvas.Server.Realtime;

/// <summary>Sends a generation's state to its owner's connections. In one process this goes straight to the hub.</summary>
public interface IGenerationEvents
{
    /// <summary>Best effort (live progress, queued, running): a failure is logged, never thrown, except inside a transaction on PostgreSQL.</summary>
    Task PublishAsync(Guid userId, GenerationDto generation, CancellationToken ct);

    /// <summary>Throws when the event could not be handed on, so the outbox tries it again.</summary>
    Task SendAsync(Guid userId, GenerationDto generation, CancellationToken ct);
}

public sealed class HubGenerationEvents(
    IHubContext<ProgressHub> hub, GenerationStreams streams, IOptions<JsonHubProtocolOptions> json, ILogger<HubGenerationEvents> logger) : IGenerationEvents
{
    public async Task PublishAsync(Guid userId, GenerationDto generation, CancellationToken ct)
    {
        try
        {
            await SendAsync(userId, generation, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Progress is best effort: a failed push must never fail the job; clients can poll.
            logger.LogWarning(ex, "Could not publish progress of {JobId}", generation.Id);
        }
    }

    public Task SendAsync(Guid userId, GenerationDto generation, CancellationToken ct)
    {
        // The Server-Sent Events streams of this (the only) process get the same JSON as the hub.
        streams.Publish(userId, () => GenerationStreamEndpoints.Serialize(generation, json.Value));
        return hub.Clients.Group(ProgressHub.GroupFor(userId)).SendAsync(ProgressHub.GenerationEvent, generation, ct);
    }
}
