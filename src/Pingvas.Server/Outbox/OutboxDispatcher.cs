using Microsoft.Extensions.Options;

using Pingvas.Server.Data;

namespace Pingvas.Server.Outbox;

/// <summary>
/// Delivers due outbox messages, oldest first, through the handler of each topic; woken after
/// every commit that wrote messages (<see cref="OutboxSignal"/>; from other processes by
/// <c>NOTIFY pingvas_outbox</c>) and polling as a fallback. Every serving process runs one: a
/// dispatcher leases a batch before delivering it (on PostgreSQL with SKIP LOCKED, so two never
/// take the same message), and a batch whose dispatcher died is taken over when its lease runs
/// out. What a batch delivered is marked by the statement that takes the next one. A failed
/// delivery is retried with backoff, and given up after <see cref="OutboxOptions.MaxAttempts"/>
/// (kept, marked failed). Delivery is at least once. Topics with a lane of their own
/// (<see cref="OutboxLane"/>, e.g. webhooks) are left to it, so a slow receiver there cannot hold
/// up emails and events here.
/// </summary>
public sealed class OutboxDispatcher(
    IServiceScopeFactory scopes,
    OutboxSignal signal,
    OutboxStore store,
    IEnumerable<OutboxLaneTopic> lanes,
    IOptions<OutboxOptions> options,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private readonly string[] laneTopics = [.. lanes.Select(l => l.Topic)];

    /// <summary>Delivers one batch of due messages now and marks them; returns how many it took (delivered or not).</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken ct)
    {
        var (taken, delivered) = await DispatchAsync([], ct);
        await DispatchAsync(delivered, ct, take: false);
        return taken;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var waker = signal.Register();
        var poll = TimeSpan.FromMilliseconds(Math.Max(50, options.Value.PollMilliseconds));
        IReadOnlyList<Guid> delivered = [];
        while (!stoppingToken.IsCancellationRequested)
        {
            var taken = 0;
            try
            {
                // What the last batch delivered is marked by the statement that takes the next one.
                (taken, delivered) = await DispatchAsync(delivered, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // A database outage: the messages wait in their table; try again after the poll.
                logger.LogWarning(ex, "Outbox dispatch failed; retrying");
            }

            // A full batch means more may be due, and deliveries not yet marked must be marked
            // before their lease runs out: in both cases go on at once, without waiting for a wake-up.
            if (taken < options.Value.BatchSize && delivered.Count == 0)
            {
                await waker.WaitAsync(poll, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        if (delivered.Count > 0)
        {
            // Shutting down: mark what was delivered, briefly; unmarked, it would be sent again after its lease.
            using var last = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await DispatchAsync(delivered, last.Token, take: false).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Marks <paramref name="done"/> delivered and, unless told not to, takes and delivers the next
    /// batch; returns how many it took and which of those it delivered (marked by the next call).
    /// </summary>
    private async Task<(int Taken, IReadOnlyList<Guid> Delivered)> DispatchAsync(IReadOnlyList<Guid> done, CancellationToken ct, bool take = true)
    {
        // Messages of every user: system context, entered here on purpose.
        await using var scope = scopes.CreateSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
        var batch = await store.TakeAsync(db, done, new OutboxTake([], laneTopics, [], take ? options.Value.BatchSize : 0), ct);
        var handlers = scope.ServiceProvider.GetServices<IOutboxHandler>().ToDictionary(h => h.Topic);
        var delivered = new List<Guid>();
        foreach (var message in batch)
        {
            try
            {
                if (!handlers.TryGetValue(message.Topic, out var handler))
                {
                    throw new InvalidOperationException($"No outbox handler for topic '{message.Topic}'.");
                }

                await handler.DeliverAsync(message, ct);
                delivered.Add(message.Id);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                await store.RecordFailureAsync(db, message, ex, ct);
            }
        }

        return (batch.Count, delivered);
    }
}
