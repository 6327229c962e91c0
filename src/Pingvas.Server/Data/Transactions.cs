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
    /// held is passed over rather than claimed for. The lock is a no-op UPDATE (the lock mode of FOR
    /// NO KEY UPDATE, which does not block foreign-key checks of inserts that reference the user)
    /// because it also gives the row a new version: a claim whose snapshot predates this commit then
    /// sees the version changed and passes the owner over (Queue/ClaimSql, <c>pick</c>), instead of
    /// acting on the owner's queue as it was, e.g. retiring a head while a job just submitted waits
    /// behind it. SQLite's immediate transaction already excludes every other writer.
    /// </summary>
    public static async Task LockUserAsync(this PingvasDb db, Guid userId, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync(LockUserSql(userId), ct);
        }
    }

    /// <summary>The lock of <see cref="LockUserAsync"/>, returning the row (a submit locks and reads its owner in one round trip).</summary>
    public static FormattableString LockUserSql(Guid userId) =>
        $"UPDATE users SET last_served_at = last_served_at WHERE id = {userId} RETURNING *";
}
