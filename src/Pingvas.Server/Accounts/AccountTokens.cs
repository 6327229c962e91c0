using System.Security.Cryptography;
using System.Text;

using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

using Pingvas.Server.Data;

namespace Pingvas.Server.Accounts;

/// <summary>
/// Issues and redeems the tokens of the links we mail: 32 random bytes (base64url) given out once,
/// only their SHA-256 stored; single use; expiring (verify 48 h, change 24 h, reset 1 h). Issuing
/// a token supersedes the user's older unused tokens of the same purpose, so only the newest link works.
/// </summary>
public sealed class AccountTokens(PingvasDb db, DatabaseTenant tenant, TimeProvider time)
{
    /// <summary>Adds a new token to the caller's transaction (saved by the caller) and returns its plain value, for the email only.</summary>
    public async Task<string> IssueAsync(Guid userId, string purpose, string? newEmail, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await db.AccountTokens.Where(t => t.UserId == userId && t.Purpose == purpose && t.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), ct);
        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        db.AccountTokens.Add(new AccountToken
        {
            Id = Ids.New(),
            UserId = userId,
            Purpose = purpose,
            TokenHash = Hash(token),
            NewEmail = newEmail,
            CreatedAt = now,
            ExpiresAt = now + AccountTokenPurposes.Lifetime(purpose),
        });
        return token;
    }

    /// <summary>
    /// Marks the token used, inside the caller's write transaction, if it is one of
    /// <paramref name="purposes"/>, unused and unexpired; returns it (the request then acts as its
    /// user), or null. The mark is one conditional update, so of two concurrent uses only one wins.
    /// </summary>
    public async Task<AccountToken?> RedeemAsync(string? token, IReadOnlyCollection<string> purposes, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 100)
        {
            return null;
        }

        var hash = Hash(token.Trim());
        var now = time.GetUtcNow().UtcDateTime;
        AccountToken? found;

        // Nobody is signed in: the lookup reads across users (system context), as a refresh does.
        using (tenant.AsSystem())
        {
            found = await db.AccountTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, ct);
        }

        if (found is null || !purposes.Contains(found.Purpose) || found.UsedAt is not null || found.ExpiresAt <= now)
        {
            return null;
        }

        tenant.Set(found.UserId);
        var marked = await db.AccountTokens.Where(t => t.Id == found.Id && t.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), ct);
        return marked == 1 ? found : null;
    }

    /// <summary>How many tokens of <paramref name="purpose"/> the user was issued since <paramref name="since"/> (rate limits).</summary>
    public Task<int> CountSinceAsync(Guid userId, string purpose, DateTime since, CancellationToken ct) =>
        db.AccountTokens.CountAsync(t => t.UserId == userId && t.Purpose == purpose && t.CreatedAt > since, ct);

    /// <summary>The address of the user's pending change of email (unused, unexpired), if any.</summary>
    public Task<string?> PendingEmailAsync(Guid userId, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return db.AccountTokens
            .Where(t => t.UserId == userId && t.Purpose == AccountTokenPurposes.EmailChange && t.UsedAt == null && t.ExpiresAt > now)
            .OrderByDescending(t => t.CreatedAt).Select(t => t.NewEmail).FirstOrDefaultAsync(ct);
    }

    public static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

/// <summary>Deletes account tokens a week after they expired (used or not): they are refused long before, and the rate limits look back an hour.</summary>
public sealed class AccountTokenPurge(IServiceScopeFactory scopes, TimeProvider time, Microsoft.Extensions.Options.IOptions<AuthPurgeOptions> options, ILogger<AccountTokenPurge> logger)
    : Hosting.PeriodicChore(scopes, time, logger)
{
    public static readonly TimeSpan Grace = TimeSpan.FromDays(7);

    protected override TimeSpan Interval => TimeSpan.FromMinutes(options.Value.PurgeIntervalMinutes);

    protected override async Task<int> RunAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<PingvasDb>();
        var cutoff = Time.GetUtcNow().UtcDateTime - Grace;
        return await db.AccountTokens.Where(t => t.ExpiresAt < cutoff).DeleteInBatchesAsync(t => t.Id, RefreshTokenPurge.BatchSize, ct);
    }
}
