using System.Collections.Concurrent;

using Microsoft.Extensions.Options;

using Pingvas.Server.Data;

namespace Pingvas.Server.Outbox;

/// <summary>A topic delivered by a lane of its own (<see cref="OutboxLane"/>), which the main dispatcher leaves alone.</summary>
public sealed record OutboxLaneTopic(string Topic);

/// <summary>
/// Delivers one topic's messages apart from the main <see cref="OutboxDispatcher"/>, up to
/// <c>parallelism</c> at once and one at a time per partition key (a webhook's target): a receiver
/// that hangs holds one slot of this lane, never another topic or another target. Rows are leased
/// exactly as the main dispatcher leases them (SKIP LOCKED on PostgreSQL, a lease that another
/// process takes over when it runs out), so several processes may run the lane side by side.
/// Each message is delivered in a scope of its own; a delivered one is marked by the next take.
/// </summary>
public sealed class OutboxLane(
    string topic,
    int parallelism,
    IServiceScopeFactory scopes,
    OutboxSignal signal,
    OutboxStore store,
    IOptions<OutboxOptions> options,
    ILogger<OutboxLane> logger) : BackgroundService
{
    private readonly ConcurrentQueue<(string Key, Guid? Delivered)> finished = new();
    private readonly Dictionary<string, Task> running = [];
    private readonly List<Guid> delivered = [];
    private OutboxWaker waker = new();

    public string Topic => topic;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        waker = signal.Register();
        var poll = TimeSpan.FromMilliseconds(Math.Max(50, options.Value.PollMilliseconds));
        var slots = Math.Max(1, parallelism);
        while (!stoppingToken.IsCancellationRequested)
        {
            Collect();
            var free = slots - running.Count;
            var taken = 0;
            try
            {
                if (free > 0 || delivered.Count > 0)
                {
                    taken = await TakeAndStartAsync(free, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // A database outage: the messages wait in their table; try again after the poll.
                logger.LogWarning(ex, "Outbox lane {Topic} failed to take messages; retrying", topic);
            }

            // A full take may leave more due: go on at once. Otherwise wait for a commit, a finished
            // delivery (a free slot, a mark to write) or the poll.
            if ((free <= 0 || taken < free) && finished.IsEmpty)
            {
                await waker.WaitAsync(poll, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        // Shutting down: the deliveries in flight were cancelled; mark what got through, briefly.
        await Task.WhenAll(running.Values).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        Collect();
        if (delivered.Count > 0)
        {
            using var last = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await TakeAndStartAsync(0, last.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private void Collect()
    {
        while (finished.TryDequeue(out var done))
        {
            running.Remove(done.Key);
            if (done.Delivered is { } id)
            {
                delivered.Add(id);
            }
        }
    }

    /// <summary>Marks what was delivered, takes up to <paramref name="free"/> messages of idle partitions and starts them.</summary>
    private async Task<int> TakeAndStartAsync(int free, CancellationToken ct)
    {
        await using var scope = scopes.CreateSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
        var batch = await store.TakeAsync(db, delivered, new OutboxTake([topic], [], running.Keys, Math.Max(0, free)), ct);
        delivered.Clear();
        var busy = new List<Guid>();
        foreach (var message in batch)
        {
            var key = message.PartitionKey ?? message.Id.ToString();
            if (running.ContainsKey(key))
            {
                busy.Add(message.Id); // Two of one partition in this take: the second waits for the first.
                continue;
            }

            running[key] = Task.Run(() => DeliverAsync(key, message, ct), CancellationToken.None);
        }

        if (busy.Count > 0)
        {
            await store.ReleaseAsync(db, busy, ct);
        }

        return batch.Count;
    }

    private async Task DeliverAsync(string key, OutboxMessage message, CancellationToken ct)
    {
        Guid? delivered = null;
        try
        {
            // Messages of every user: system context, entered here on purpose.
            await using var scope = scopes.CreateSystemScope();
            var handler = scope.ServiceProvider.GetServices<IOutboxHandler>().Single(h => h.Topic == topic);
            try
            {
                await handler.DeliverAsync(message, ct);
                delivered = message.Id;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                await store.RecordFailureAsync(scope.ServiceProvider.GetRequiredService<PingvasDb>(), message, ex, ct);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Not even the failure could be recorded (a database outage): the lease runs out and it is taken again.
            logger.LogWarning(ex, "Outbox lane {Topic} could not record message {Id}", topic, message.Id);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: the lease runs out and another process (or the next start) takes it again.
        }
        finally
        {
            finished.Enqueue((key, delivered));
            waker.Wake();
        }
    }
}
