using Microsoft.AspNetCore.SignalR;

using Pingvas.Server.Generation;

namespace Pingvas.Server.Realtime;

/// <summary>Publishes a generation's state to its owner. In one process this goes straight to the hub.</summary>
public interface IGenerationEvents
{
    Task PublishAsync(Guid userId, GenerationDto generation, CancellationToken ct);
}

public sealed class HubGenerationEvents(IHubContext<ProgressHub> hub, ILogger<HubGenerationEvents> logger) : IGenerationEvents
{
    public async Task PublishAsync(Guid userId, GenerationDto generation, CancellationToken ct)
    {
        try
        {
            await hub.Clients.Group(ProgressHub.GroupFor(userId)).SendAsync(ProgressHub.GenerationEvent, generation, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Progress is best effort: a failed push must never fail the job; clients can poll.
            logger.LogWarning(ex, "Could not publish progress of {JobId}", generation.Id);
        }
    }
}
