using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Npgsql;

using NpgsqlTypes;

using Pingvas.Server.Data;

namespace Pingvas.Server.Outbox;

/// <summary>
/// Which due messages a dispatcher takes: only the topics of <paramref name="Only"/> (none: every
/// topic), never those of <paramref name="Except"/>, and none whose partition key is in
/// <paramref name="Busy"/>; at most <paramref name="Limit"/>.
/// </summary>
public sealed record OutboxTake(IReadOnlyList<string> Only, IReadOnlyList<string> Except, IReadOnlyCollection<string> Busy, int Limit);

/// <summary>
/// The outbox table's statements shared by the main dispatcher and the lanes: lease a batch (on
/// PostgreSQL with SKIP LOCKED, so two processes never take the same message), mark what was
/// delivered, give back what was taken but not started, and record a failure with its backoff.
/// </summary>
public sealed class OutboxStore(IOptions<OutboxOptions> options, TimeProvider time, ILogger<OutboxStore> logger)
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
              AND (cardinality(@only) = 0 OR topic = ANY (@only))
              AND NOT (topic = ANY (@except))
              AND (partition_key IS NULL OR NOT (partition_key = ANY (@busy)))
            ORDER BY id
            LIMIT @limit
            FOR UPDATE SKIP LOCKED
        )
        UPDATE outbox o SET locked_until = @lock, attempts = o.attempts + 1
        FROM picked WHERE o.id = picked.id
        RETURNING o.*
        """;

    /// <summary>Marks <paramref name="done"/> delivered and leases the messages <paramref name="take"/> asks for, oldest first.</summary>
    public async Task<List<OutboxMessage>> TakeAsync(PingvasDb db, IReadOnlyList<Guid> done, OutboxTake take, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var until = now.AddSeconds(options.Value.LockSeconds);
        if (db.Database.IsNpgsql())
        {
            var parameters = new object[]
            {
                new NpgsqlParameter("now", NpgsqlDbType.TimestampTz) { Value = now },
                new NpgsqlParameter("lock", NpgsqlDbType.TimestampTz) { Value = until },
                new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = take.Limit },
                new NpgsqlParameter("done", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = done.ToArray() },
                new NpgsqlParameter("only", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = take.Only.ToArray() },
                new NpgsqlParameter("except", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = take.Except.ToArray() },
                new NpgsqlParameter("busy", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = take.Busy.ToArray() },
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

        var only = take.Only.ToList();
        var except = take.Except.ToList();
        var busy = take.Busy.ToList();
        var due = await db.Outbox.AsNoTracking()
            .Where(m => m.DeliveredAt == null && m.FailedAt == null && m.AvailableAt <= now && (m.LockedUntil == null || m.LockedUntil <= now))
            .Where(m => (only.Count == 0 || only.Contains(m.Topic)) && !except.Contains(m.Topic))
            .Where(m => m.PartitionKey == null || !busy.Contains(m.PartitionKey))
            .OrderBy(m => m.Id).Take(take.Limit).ToListAsync(ct);
        var ids = due.Select(m => m.Id).ToList();
        await db.Outbox.Where(m => ids.Contains(m.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LockedUntil, until).SetProperty(m => m.Attempts, m => m.Attempts + 1), ct);
        await tx.CommitAsync(ct);
        due.ForEach(m => m.Attempts++);
        return due;
    }

    /// <summary>Gives back messages taken but not started (their partition was busy): due again, the attempt not counted.</summary>
    public Task ReleaseAsync(PingvasDb db, IReadOnlyList<Guid> ids, CancellationToken ct) =>
        db.Outbox.Where(m => ids.Contains(m.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LockedUntil, (DateTime?)null).SetProperty(m => m.Attempts, m => m.Attempts - 1), ct);

    /// <summary>Due again after the backoff of its attempts, or given up after <see cref="OutboxOptions.MaxAttempts"/> (kept, marked failed).</summary>
    public async Task RecordFailureAsync(PingvasDb db, OutboxMessage message, Exception error, CancellationToken ct)
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
