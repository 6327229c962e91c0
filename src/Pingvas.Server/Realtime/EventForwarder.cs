using System.Threading.Channels;

using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Data;
using Pingvas.Server.Generation;

namespace Pingvas.Server.Realtime;

/// <summary>
/// Sends the generation events this process hears on <see cref="EventChannels.Events"/> to the
/// owner's SignalR connections here, one at a time in arrival order (PostgreSQL delivers them in
/// commit order). An event that came as a reference only is read from the database first. After
/// the listener was down, every user connected here gets a snapshot of what changed meanwhile.
/// </summary>
public sealed class EventForwarder(
    IHubContext<ProgressHub> hub, IServiceScopeFactory scopes, HubConnections connections, GenerationStreams streams,
    IOptions<JsonHubProtocolOptions> json, ILogger<EventForwarder> logger) : BackgroundService
{
    // Bounded so a stalled hub cannot grow memory without end; the oldest progress goes first.
    private readonly Channel<Heard> heard = Channel.CreateBounded<Heard>(new BoundedChannelOptions(10_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropOldest,
    });

    public void Enqueue(string payload) => heard.Writer.TryWrite(new Heard(payload, null));

    /// <summary>The listener is back after missing events since <paramref name="since"/>: resend state to everyone connected here.</summary>
    public void Resync(DateTime since) => heard.Writer.TryWrite(new Heard(null, since));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var item in heard.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                if (item.Payload is { } payload)
                {
                    await ForwardAsync(GenerationEventPayload.Decode(payload), stoppingToken);
                }
                else if (item.ResyncSince is { } since)
                {
                    await ResyncAsync(since, stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Best effort, like every push: clients can always poll.
                logger.LogWarning(ex, "Could not forward a generation event");
            }
        }
    }

    private async Task ForwardAsync(GenerationNotice notice, CancellationToken ct)
    {
        var group = hub.Clients.Group(ProgressHub.GroupFor(notice.UserId));
        if (notice.Event is { } generation)
        {
            // Sent as heard: the publisher serialised it with the hub's own settings.
            streams.Publish(notice.UserId, () => generation.GetRawText());
            await group.SendAsync(ProgressHub.GenerationEvent, generation, ct);
            return;
        }

        await using var scope = scopes.CreateUserScope(notice.UserId);
        var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
        if (await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == notice.JobId && j.UserId == notice.UserId, ct) is { } job)
        {
            var dto = await scope.ServiceProvider.GetRequiredService<GenerationService>().GetDtoAsync(job, ct) with { Balance = notice.Balance };
            streams.Publish(notice.UserId, () => GenerationStreamEndpoints.Serialize(dto, json.Value));
            await group.SendAsync(ProgressHub.GenerationEvent, dto, ct);
        }
    }

    private async Task ResyncAsync(DateTime since, CancellationToken ct)
    {
        // Users with a hub connection or an event stream here.
        var users = connections.Users.Union(streams.Users).ToList();
        foreach (var userId in users)
        {
            await using var scope = scopes.CreateUserScope(userId);
            var group = hub.Clients.Group(ProgressHub.GroupFor(userId));
            foreach (var generation in await scope.ServiceProvider.GetRequiredService<JobSnapshots>().ForUserAsync(userId, since, ct))
            {
                streams.Publish(userId, () => GenerationStreamEndpoints.Serialize(generation, json.Value));
                await group.SendAsync(ProgressHub.GenerationEvent, generation, ct);
            }
        }

        logger.LogInformation("Resent the state of their jobs to {Count} connected user(s) after the listener was down", users.Count);
    }

    private sealed record Heard(string? Payload, DateTime? ResyncSince);
}
