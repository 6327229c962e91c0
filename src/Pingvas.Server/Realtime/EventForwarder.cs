using System.Threading.Channels;

using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Generation;

namespace Pingvas.Server.Realtime;

/// <summary>
/// Sends the generation events this process hears on <see cref="EventChannels.Events"/> to the
/// owner's SignalR connections here, one at a time in arrival order (PostgreSQL delivers them in
/// commit order). An event that came as a reference only is read from the database first.
/// </summary>
public sealed class EventForwarder(IHubContext<ProgressHub> hub, IServiceScopeFactory scopes, ILogger<EventForwarder> logger) : BackgroundService
{
    // Bounded so a stalled hub cannot grow memory without end; the oldest progress goes first.
    private readonly Channel<string> heard = Channel.CreateBounded<string>(new BoundedChannelOptions(10_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropOldest,
    });

    public void Enqueue(string payload) => heard.Writer.TryWrite(payload);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var payload in heard.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await ForwardAsync(GenerationEventPayload.Decode(payload), stoppingToken);
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
            await group.SendAsync(ProgressHub.GenerationEvent, generation, ct);
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
        if (await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == notice.JobId && j.UserId == notice.UserId, ct) is { } job)
        {
            var dto = await scope.ServiceProvider.GetRequiredService<GenerationService>().GetDtoAsync(job, ct);
            await group.SendAsync(ProgressHub.GenerationEvent, dto with { Balance = notice.Balance }, ct);
        }
    }
}
