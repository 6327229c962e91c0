using System.Security.Cryptography;
using System.Text;

using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

using Pingvas.Server.Credits;
using Pingvas.Server.Data;

namespace Pingvas.Server.Accounts.External;

/// <summary>Who the provider says signed in: its stable id for them, and the address it vouches for (or not).</summary>
public sealed record ExternalIdentity(string Provider, string Subject, string? Email, bool EmailVerified, string? Name);

/// <summary>The account a provider sign-in lands on, or why there is none (an error code the web app translates).</summary>
public sealed record ExternalOutcome(User? User, string? Error)
{
    public static ExternalOutcome Refused(string error) => new(null, error);
}

/// <summary>
/// Finds, links or creates the account for a provider's identity, and hands the result to the
/// web app through a one-time code. Accounts are linked by email only when both sides proved the
/// address: the provider says it is verified, and so is our account (else whoever registered the
/// address first, without owning it, would be handed the owner's provider sign-in).
/// </summary>
public sealed class ExternalAccounts(PingvasDb db, DatabaseTenant tenant, PlanPeriods periods, TimeProvider time, ILogger<ExternalAccounts> logger)
{
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(2);

    public async Task<ExternalOutcome> SignInAsync(ExternalIdentity identity, CancellationToken ct)
    {
        // A concurrent first sign-in of the same person or address can win the insert; the second pass then finds its rows.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await FindOrCreateAsync(identity, ct);
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<ExternalOutcome> FindOrCreateAsync(ExternalIdentity identity, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        ExternalLogin? link;
        // Nobody is signed in yet: the link is looked up across users, as a refresh token is.
        using (tenant.AsSystem())
        {
            link = await db.ExternalLogins.SingleOrDefaultAsync(l => l.Provider == identity.Provider && l.Subject == identity.Subject, ct);
        }

        if (link is not null)
        {
            var linked = await db.Users.SingleAsync(u => u.Id == link.UserId, ct);
            if (linked.Suspended)
            {
                return ExternalOutcome.Refused("account_suspended");
            }

            tenant.Set(linked.Id);
            link.LastUsedAt = now;
            link.Email = identity.Email;
            await db.SaveChangesAsync(ct);
            return new ExternalOutcome(linked, null);
        }

        if (string.IsNullOrWhiteSpace(identity.Email))
        {
            return ExternalOutcome.Refused("email_missing");
        }

        if (!identity.EmailVerified)
        {
            return ExternalOutcome.Refused("email_unverified");
        }

        var email = AccountRules.NormalizeEmail(identity.Email);
        var existing = await db.Users.SingleOrDefaultAsync(u => u.Email == email, ct);
        if (existing is not null)
        {
            if (existing.EmailVerifiedAt is null)
            {
                // Someone registered this address without proving it: linking would let them in as its owner later.
                return ExternalOutcome.Refused("account_unverified");
            }

            if (existing.Suspended)
            {
                return ExternalOutcome.Refused("account_suspended");
            }

            tenant.Set(existing.Id);
            db.ExternalLogins.Add(NewLink(identity, existing.Id, now));
            await db.SaveChangesAsync(ct);
            logger.LogInformation("Linked a {Provider} sign-in to account {UserId} by its verified email", identity.Provider, existing.Id);
            return new ExternalOutcome(existing, null);
        }

        var user = await CreateAccountAsync(identity, email, now, ct);
        logger.LogInformation("Created account {UserId} from a {Provider} sign-in", user.Id, identity.Provider);
        return new ExternalOutcome(user, null);
    }

    /// <summary>
    /// A new account as sign-up makes one, already verified (the provider vouched for the
    /// address), with no password: its plan period starts and its credits are granted through
    /// <see cref="PlanPeriods.StartAsync"/>, the same call sign-up makes. One transaction with the link.
    /// </summary>
    private async Task<User> CreateAccountAsync(ExternalIdentity identity, string email, DateTime now, CancellationToken ct)
    {
        var user = new User
        {
            Id = Ids.New(),
            Email = email,
            Name = AccountName(identity.Name, email),
            // No password: a password sign-in can never match it (set one through a password reset).
            PasswordHash = "",
            PlanId = "free",
            CreatedAt = now,
            EmailVerifiedAt = now,
        };

        await using var tx = await db.BeginWriteAsync(ct);
        db.Users.Add(user);
        await db.SaveChangesAsync(ct);
        tenant.Set(user.Id);
        await periods.StartAsync(user, ct);
        db.ExternalLogins.Add(NewLink(identity, user.Id, now));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return user;
    }

    private static ExternalLogin NewLink(ExternalIdentity identity, Guid userId, DateTime now) => new()
    {
        Provider = identity.Provider,
        Subject = identity.Subject,
        UserId = userId,
        Email = identity.Email,
        CreatedAt = now,
        LastUsedAt = now,
    };

    /// <summary>The provider's display name within our limits, else the address's local part.</summary>
    private static string AccountName(string? name, string email)
    {
        var trimmed = (name ?? "").Trim();
        if (trimmed.Length == 0)
        {
            trimmed = email.Split('@')[0];
        }

        return trimmed.Length > AccountRules.MaxNameLength ? trimmed[..AccountRules.MaxNameLength] : trimmed;
    }

    /// <summary>A one-time code for the web app to trade for the session; only its hash is stored.</summary>
    public async Task<string> IssueCodeAsync(Guid userId, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        using (tenant.AsSystem())
        {
            // Housekeeping on the way: codes nobody redeemed.
            await db.ExternalSignInCodes.Where(c => c.ExpiresAt <= now).ExecuteDeleteAsync(ct);
        }

        var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        tenant.Set(userId);
        db.ExternalSignInCodes.Add(new ExternalSignInCode { CodeHash = Hash(code), UserId = userId, CreatedAt = now, ExpiresAt = now + CodeLifetime });
        await db.SaveChangesAsync(ct);
        return code;
    }

    /// <summary>The code's account, once: the delete decides which of two concurrent redemptions wins. Null when unknown, used or expired.</summary>
    public async Task<User?> RedeemCodeAsync(string code, CancellationToken ct)
    {
        var hash = Hash(code);
        var now = time.GetUtcNow().UtcDateTime;
        ExternalSignInCode? row;
        using (tenant.AsSystem())
        {
            row = await db.ExternalSignInCodes.AsNoTracking().SingleOrDefaultAsync(c => c.CodeHash == hash, ct);
            if (row is null || await db.ExternalSignInCodes.Where(c => c.CodeHash == hash).ExecuteDeleteAsync(ct) == 0 || row.ExpiresAt <= now)
            {
                return null;
            }
        }

        tenant.Set(row.UserId);
        return await db.Users.SingleOrDefaultAsync(u => u.Id == row.UserId, ct);
    }

    private static string Hash(string code) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(code)));
}
