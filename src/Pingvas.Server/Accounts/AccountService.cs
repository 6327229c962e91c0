using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Hosting;
using Pingvas.Server.Realtime;

namespace Pingvas.Server.Accounts;

/// <summary>A password change: new tokens for this session, or field errors, or a throttle wait, or (all empty) a wrong current password.</summary>
public sealed record PasswordChange(TokenPair? Tokens, Dictionary<string, string[]> Errors, TimeSpan? RetryAfter);

/// <summary>Changes to the signed-in user's own account.</summary>
public sealed class AccountService(PingvasDb db, IPasswordHasher<User> hasher, LoginThrottles throttles, TokenService tokens, IHubSignOut hubs)
{
    /// <summary>Sets the name and/or language; returns field errors (and changes nothing) when one is invalid.</summary>
    public async Task<Dictionary<string, string[]>> UpdateProfileAsync(Guid userId, string? name, string? language, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (name is not null)
        {
            AccountRules.CheckName(errors, name);
        }

        if (language is not null && !Languages.All.Contains(language))
        {
            errors["language"] = ["The language must be ko or en."];
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        var user = await db.Users.SingleAsync(u => u.Id == userId, ct);
        user.Name = name?.Trim() ?? user.Name;
        user.Language = language ?? user.Language;
        await db.SaveChangesAsync(ct);
        return errors;
    }

    /// <summary>
    /// Checks the current password (throttled like sign-in), sets the new one, signs out every
    /// session, and issues this session a new pair (keeping its TOTP mark).
    /// </summary>
    public async Task<PasswordChange> ChangePasswordAsync(Guid userId, string? current, string? next, bool mfa, HttpContext http, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(current))
        {
            errors["currentPassword"] = ["The current password is required."];
        }

        AccountRules.CheckPassword(errors, "newPassword", next);
        if (errors.Count > 0)
        {
            return new PasswordChange(null, errors, null);
        }

        var user = await db.Users.SingleAsync(u => u.Id == userId, ct);
        var pair = throttles.PairId(user.Email, http.ClientKey());
        if ((await throttles.RetryAfterAsync(pair, ct) ?? await throttles.CountAttemptAsync(pair, ct)) is { } wait)
        {
            return new PasswordChange(null, errors, wait);
        }

        if (hasher.VerifyHashedPassword(user, user.PasswordHash, current!) == PasswordVerificationResult.Failed)
        {
            return new PasswordChange(null, errors, null);
        }

        await throttles.ClearAsync(pair, ct);
        await using var tx = await db.BeginWriteAsync(ct);
        user.PasswordHash = hasher.HashPassword(user, next!);
        await db.SaveChangesAsync(ct);
        // The new version goes into this session's token (and is saved again as it is: harmless).
        user.TokenVersion = await tokens.SignOutEverywhereAsync(userId, ct);
        var issued = await tokens.IssueAsync(user, null, ct, mfa);
        await tx.CommitAsync(ct);

        // Other sessions' live connections end now too (this session's client reconnects with its new token).
        await hubs.SignOutAsync(userId, CancellationToken.None);
        return new PasswordChange(issued, errors, null);
    }
}
