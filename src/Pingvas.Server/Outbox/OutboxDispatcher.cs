using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Npgsql;

using NpgsqlTypes;

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
/// (kept, marked failed). Delivery is at least once.
/// </summary>
public sealed class OutboxDispatcher(
    IServiceScopeFactory scopes,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    /// <summary>
    /// Marks what the last batch delivered and leases the next batch, in one statement: one commit
    /// per batch in the steady state. The two updates touch different rows (the marked ones are
    /// still leased to us, so the take passes them over).
    /// </summary>
    private const string TakeSql = """
        WITH done AS (
            UPDATE outbox SET delivered_at = @now, locked_until = NULL WHERE id = ANY (@done)
        ),
        picked AS (
            SELECT id FROM outbox
            WHERE delivered_at IS NULL AND failed_at IS NULL AND available_at <= @now
              AND (locked_until IS NULL OR locked_until <= @now)
            ORDER BY id
            LIMIT @limit
            FOR UPDATE SKIP LOCKED
        )
        UPDATE outbox o SET locked_until = @lock, attempts = o.attempts + 1
        FROM picked WHERE o.id = picked.id
        RETURNING o.*
        """;

    /// <summary>Delivers one batch of due messages now and marks them; returns how many it took (delivered or not).</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken ct)
    {
        var (taken, delivered) = await DispatchAsync([], ct);
        await DispatchAsync(delivered, ct, take: false);
        return taken;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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
                await signal.WaitAsync(poll, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
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
        var batch = await TakeAsync(db, done, take ? options.Value.BatchSize : 0, ct);
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
                await RecordFailureAsync(db, message, ex, ct);
            }
        }

        return (batch.Count, delivered);
    }

    private async Task<List<OutboxMessage>> TakeAsync(PingvasDb db, IReadOnlyList<Guid> done, int limit, CancellationToken ct)
    {
        var settings = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var until = now.AddSeconds(settings.LockSeconds);
        if (db.Database.IsNpgsql())
        {
            var parameters = new object[]
            {
                new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now },
                new NpgsqlParameter("lock", NpgsqlDbType.TimestampTz) { Value = until },
                new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = limit },
                new NpgsqlParameter("done", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = done.ToArray() },
            };
            var taken = await db.Outbox.FromSqlRaw(TakeSql, parameters).AsNoTracking().ToListAsync(ct);
            return [.. taken.OrderBy(m => m.Id)];
        }

        // SQLite: the immediate transaction keeps the mark and the take atomic.
        await using var tx = await db.BeginWriteAsync(ct);
        if (done.Count > 0)
        {
            await db.Outbox.Where(m => done.Contains(m.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.DeliveredAt, now).SetProperty(m => m.LockedUntil, (DateTime?)null), ct);
        }

        var due = await db.Outbox.AsNoTracking()
            .Where(m => m.DeliveredAt == null && m.FailedAt == null && m.AvailableAt <= now && (m.LockedUntil == null || m.LockedUntil <= now))
            .OrderBy(m => m.Id).Take(limit).ToListAsync(ct);
        var ids = due.Select(m => m.Id).ToList();
        await db.Outbox.Where(m => ids.Contains(m.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LockedUntil, until).SetProperty(m => m.Attempts, m => m.Attempts + 1), ct);
        await tx.CommitAsync(ct);
        due.ForEach(m => m.Attempts++);
        return due;
    }

    private async Task RecordFailureAsync(PingvasDb db, OutboxMessage message, Exception error, CancellationToken ct)
    {
        var settings = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var giveUp = message.Attempts >= settings.MaxAttempts;
        var reason = error.Message.Length > 500 ? error.Message[..500] : error.Message;
        logger.LogWarning(error, "Delivering outbox message {Id} ({Topic}) failed on attempt {Attempt}{Final}",
            message.Id, message.Topic, message.Attempts, giveUp ? "; giving up" : "");
        await db.Outbox.Where(m => m.Id == message.Id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.LockedUntil, (DateTime?)null)
            .SetProperty(m => m.LastError, reason)
            .SetProperty(m => m.AvailableAt, now + settings.BackoffFor(message.Attempts))
            .SetProperty(m => m.FailedAt, giveUp ? now : null), ct);
    }
}
