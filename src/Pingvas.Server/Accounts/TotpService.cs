using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;

namespace Pingvas.Server.Accounts;

public sealed record TotpEnrollment(string Secret, string OtpauthUri);

public enum TotpConfirm
{
    Confirmed,
    AlreadyEnrolled,
    NotStarted,
    WrongCode,
}

/// <summary>TOTP enrolment and checks for one account; codes and recovery codes are each accepted once.</summary>
public sealed class TotpService(PingvasDb db, IPasswordHasher<User> hasher, TimeProvider time)
{
    public const string Issuer = "Pingvas Studio";
    public const int RecoveryCodeCount = 10;

    /// <summary>Starts (or restarts) an enrolment with a fresh secret; null when TOTP is already active.</summary>
    public async Task<TotpEnrollment?> EnrollAsync(Guid userId, CancellationToken ct)
    {
        var user = await db.Users.SingleAsync(u => u.Id == userId, ct);
        if (user.TotpEnabledAt is not null)
        {
            return null;
        }

        user.TotpSecret = Totp.NewSecret();
        await db.SaveChangesAsync(ct);
        return new TotpEnrollment(user.TotpSecret, Totp.OtpauthUri(Issuer, user.Email, user.TotpSecret));
    }

    /// <summary>Activates the enrolment with a first code and returns the recovery codes, shown this once.</summary>
    public async Task<(TotpConfirm Result, IReadOnlyList<string> RecoveryCodes)> ConfirmAsync(Guid userId, string? code, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);
        var user = await db.Users.SingleAsync(u => u.Id == userId, ct);
        if (user.TotpEnabledAt is not null)
        {
            return (TotpConfirm.AlreadyEnrolled, []);
        }

        if (user.TotpSecret is null)
        {
            return (TotpConfirm.NotStarted, []);
        }

        if (Totp.Match(Totp.FromBase32(user.TotpSecret), code, time.GetUtcNow(), user.TotpLastStep) is not { } step)
        {
            return (TotpConfirm.WrongCode, []);
        }

        var now = time.GetUtcNow().UtcDateTime;
        user.TotpEnabledAt = now;
        user.TotpLastStep = step;
        var codes = Enumerable.Range(0, RecoveryCodeCount).Select(_ => Totp.NewRecoveryCode()).ToList();
        await db.TotpRecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(ct);
        foreach (var recovery in codes)
        {
            db.TotpRecoveryCodes.Add(new TotpRecoveryCode
            {
                Id = Ids.New(),
                UserId = userId,
                CodeHash = hasher.HashPassword(user, Totp.NormalizeRecoveryCode(recovery)),
                CreatedAt = now,
            });
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (TotpConfirm.Confirmed, codes);
    }

    /// <summary>
    /// Accepts a code of the enrolled account once: the step is recorded by a conditional update,
    /// so of two requests with the same code only one wins.
    /// </summary>
    public async Task<bool> AcceptCodeAsync(User user, string? code, CancellationToken ct)
    {
        if (user.TotpSecret is null || user.TotpEnabledAt is null
            || Totp.Match(Totp.FromBase32(user.TotpSecret), code, time.GetUtcNow(), user.TotpLastStep) is not { } step)
        {
            return false;
        }

        return await db.Users.Where(u => u.Id == user.Id && u.TotpLastStep < step)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.TotpLastStep, step), ct) == 1;
    }

    /// <summary>Accepts an unused recovery code of the account once, and uses it up.</summary>
    public async Task<bool> AcceptRecoveryCodeAsync(User user, string? recoveryCode, CancellationToken ct)
    {
        var normalized = Totp.NormalizeRecoveryCode(recoveryCode);
        if (normalized.Length == 0)
        {
            return false;
        }

        var unused = await db.TotpRecoveryCodes.AsNoTracking().Where(c => c.UserId == user.Id && c.UsedAt == null).ToListAsync(ct);
        var match = unused.FirstOrDefault(c => hasher.VerifyHashedPassword(user, c.CodeHash, normalized) != PasswordVerificationResult.Failed);
        if (match is null)
        {
            return false;
        }

        var now = time.GetUtcNow().UtcDateTime;
        return await db.TotpRecoveryCodes.Where(c => c.Id == match.Id && c.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UsedAt, now), ct) == 1;
    }
}
