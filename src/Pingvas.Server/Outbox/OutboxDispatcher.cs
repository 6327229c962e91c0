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
/// out. A failed delivery is retried with backoff, and given up after
/// <see cref="OutboxOptions.MaxAttempts"/> (kept, marked failed). Delivery is at least once.
/// </summary>
public sealed class OutboxDispatcher(
    IServiceScopeFactory scopes,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private const string TakeSql = """
        WITH picked AS (
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

    /// <summary>Delivers one batch of due messages now; returns how many it took (delivered or not).</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken ct)
    {
        // Messages of every user: system context, entered here on purpose.
        await using var scope = scopes.CreateSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
        var handlers = scope.ServiceProvider.GetServices<IOutboxHandler>().ToDictionary(h => h.Topic);
        var batch = await TakeAsync(db, ct);
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

        if (delivered.Count > 0)
        {
            var now = time.GetUtcNow().UtcDateTime;
            await db.Outbox.Where(m => delivered.Contains(m.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.DeliveredAt, now).SetProperty(m => m.LockedUntil, (DateTime?)null), ct);
        }

        return batch.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromMilliseconds(Math.Max(50, options.Value.PollMilliseconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            var taken = 0;
            try
            {
                taken = await DispatchOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A database outage: the messages wait in their table; try again after the poll.
                logger.LogWarning(ex, "Outbox dispatch failed; retrying");
            }

            // A full batch means more may be due: go on at once.
            if (taken < options.Value.BatchSize)
            {
                await signal.WaitAsync(poll, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task<List<OutboxMessage>> TakeAsync(PingvasDb db, CancellationToken ct)
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
                new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = settings.BatchSize },
            };
            var taken = await db.Outbox.FromSqlRaw(TakeSql, parameters).AsNoTracking().ToListAsync(ct);
            return [.. taken.OrderBy(m => m.Id)];
        }

        // SQLite: the immediate transaction keeps the take atomic.
        await using var tx = await db.BeginWriteAsync(ct);
        var due = await db.Outbox.AsNoTracking()
            .Where(m => m.DeliveredAt == null && m.FailedAt == null && m.AvailableAt <= now && (m.LockedUntil == null || m.LockedUntil <= now))
            .OrderBy(m => m.Id).Take(settings.BatchSize).ToListAsync(ct);
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
