using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Pingvas.Server.Data;

/// <summary>How credit and queue writes are serialised per user on each provider.</summary>
public static class Transactions
{
    /// <summary>
    /// Begins a write transaction. On SQLite this is <c>BEGIN IMMEDIATE</c> (Microsoft.Data.Sqlite's
    /// default), which takes the database write lock up front, so read-then-write cannot interleave.
    /// </summary>
    public static Task<IDbContextTransaction> BeginWriteAsync(this PingvasDb db, CancellationToken ct) =>
        db.Database.BeginTransactionAsync(ct);

    /// <summary>
    /// Serialises credit movements of one user. PostgreSQL locks the user's row until commit;
    /// SQLite's immediate transaction already excludes every other writer.
    /// </summary>
    public static async Task LockUserAsync(this PingvasDb db, Guid userId, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {userId} FOR UPDATE", ct);
        }
    }

    /// <summary>
    /// Serialises job claims, so two workers cannot both start a job for a user who has one free
    /// slot. SQLite's immediate transaction already does; PostgreSQL takes a transaction-scoped
    /// advisory lock (claims are a few milliseconds, so one at a time is plenty for now).
    /// </summary>
    public static async Task LockQueueAsync(this PingvasDb db, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(7031001)", ct);
        }
    }
}
