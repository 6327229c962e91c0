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
    /// Serialises credit movements and queue transitions of one user: PostgreSQL locks the user's
    /// row until commit, and a job claim takes the same lock (SKIP LOCKED), so a user whose row is
    /// held is passed over rather than claimed for. FOR NO KEY UPDATE excludes other lockers just
    /// as FOR UPDATE would, but does not block foreign-key checks of inserts that reference the user.
    /// SQLite's immediate transaction already excludes every other writer.
    /// </summary>
    public static async Task LockUserAsync(this PingvasDb db, Guid userId, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {userId} FOR NO KEY UPDATE", ct);
        }
    }
}
