using System.Security.Cryptography;
using System.Text;

using Microsoft.EntityFrameworkCore;

using Pingvas.Core.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Accounts;

/// <summary>
/// The per (email, client address) sign-in throttle, kept in the database so every API instance
/// sees the same state. The rules are <see cref="LoginThrottle"/>'s.
/// </summary>
public sealed class LoginThrottles(PingvasDb db, SigningKeys keys, TimeProvider time)
{
    /// <summary>The pair's row id: keyed, so a leaked table does not tell which emails were tried from where.</summary>
    public string PairId(string normalizedEmail, string clientKey) =>
        Convert.ToHexString(HMACSHA256.HashData(keys.ThrottleKey, Encoding.UTF8.GetBytes($"{normalizedEmail}\n{clientKey}")));

    /// <summary>How long the pair must still wait, from one read; null when it may try now.</summary>
    public async Task<TimeSpan?> RetryAfterAsync(string pairId, CancellationToken ct)
    {
        var row = await db.LoginThrottles.AsNoTracking().SingleOrDefaultAsync(t => t.Id == pairId, ct);
        return LoginThrottle.RetryAfter(row is null ? null : State(row), time.GetUtcNow().UtcDateTime);
    }

    /// <summary>
    /// Counts an attempt before its password is checked. Attempts of one pair are serialised, so a
    /// burst of parallel guesses gets exactly the free attempts; returns the wait when a parallel
    /// attempt blocked the pair meanwhile (this one is then not counted).
    /// </summary>
    public async Task<TimeSpan?> CountAttemptAsync(string pairId, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var tx = await db.BeginWriteAsync(ct);
        if (db.Database.IsNpgsql())
        {
            // Whether or not the pair's row exists yet; SQLite's immediate transaction already excludes other writers.
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({pairId}, 0))", ct);
        }

        var row = await db.LoginThrottles.SingleOrDefaultAsync(t => t.Id == pairId, ct);
        var state = row is null ? null : State(row);
        if (LoginThrottle.RetryAfter(state, now) is { } wait)
        {
            return wait;
        }

        var next = LoginThrottle.Count(state, now);
        if (row is null)
        {
            row = new LoginThrottleRow { Id = pairId };
            db.LoginThrottles.Add(row);
        }

        (row.Score, row.UpdatedAt, row.BlockedUntil) = (next.Score, next.UpdatedAt, next.BlockedUntil);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return null;
    }

    /// <summary>A successful sign-in forgets the pair's attempts.</summary>
    public Task ClearAsync(string pairId, CancellationToken ct) =>
        db.LoginThrottles.Where(t => t.Id == pairId).ExecuteDeleteAsync(ct);

    private static LoginThrottleState State(LoginThrottleRow row) => new(row.Score, row.UpdatedAt, row.BlockedUntil);
}
