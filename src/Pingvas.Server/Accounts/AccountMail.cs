using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Credits;
using Pingvas.Server.Data;
using Pingvas.Server.Email;
using Pingvas.Server.Outbox;
using Pingvas.Server.Realtime;

namespace Pingvas.Server.Accounts;

/// <summary>What came of redeeming a link we mailed.</summary>
public enum LinkOutcome
{
    Done,
    InvalidToken,
    EmailTaken,
}

/// <summary>
/// The account flows that go through a mailed link: verifying the address (and with it the Free
/// plan's credits), resetting a password, changing the email. Every email is written to the
/// outbox in the transaction of the change that causes it; after the commit the outbox is woken.
/// </summary>
public sealed class AccountMail(
    PingvasDb db,
    DatabaseTenant tenant,
    AccountTokens tokens,
    PlanPeriods periods,
    TokenService sessions,
    IHubSignOut hubs,
    IPasswordHasher<User> hasher,
    OutboxWriter outbox,
    OutboxSignal outboxSignal,
    IOptions<EmailOptions> email,
    TimeProvider time)
{
    /// <summary>Password reset emails per address per hour; more requests are answered the same and send nothing.</summary>
    public const int ResetsPerHour = 3;

    /// <summary>Verification resends: at most one a minute and five an hour per account.</summary>
    public static readonly TimeSpan ResendInterval = TimeSpan.FromMinutes(1);

    public const int ResendsPerHour = 5;

    /// <summary>Email is on (an SMTP relay is configured): addresses must be verified.</summary>
    public bool EmailOn => email.Value.Enabled;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Sign-up, inside its transaction after the user row is saved: with email on, one welcome
    /// email carrying the verification link (the Free credits wait for it, see
    /// <see cref="PlanPeriods.HoldsBackGrant"/>). With email off nothing is sent.
    /// </summary>
    public async Task OnRegisteredAsync(User user, string? languageHint, CancellationToken ct)
    {
        if (!EmailOn)
        {
            return;
        }

        var token = await tokens.IssueAsync(user.Id, AccountTokenPurposes.VerifyEmail, null, ct);
        outbox.Enqueue(new EmailRequest(EmailKinds.Welcome, user.Id, Data(("token", token), (EmailOutboxHandler.LanguageHint, languageHint))));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>After the commit of a transaction that wrote emails: deliver them now.</summary>
    public void Sent() => outboxSignal.Wake();

    /// <summary>
    /// Redeems a verification link: a sign-up's (the address is verified and the period's Free
    /// credits granted) or a change of email's (the account moves to the new address, if still free).
    /// </summary>
    public async Task<(LinkOutcome Outcome, string? Email)> VerifyAsync(string? token, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        if (await tokens.RedeemAsync(token, [AccountTokenPurposes.VerifyEmail, AccountTokenPurposes.EmailChange], ct) is not { } redeemed)
        {
            return (LinkOutcome.InvalidToken, null);
        }

        await db.LockUserAsync(redeemed.UserId, ct);
        var user = await db.Users.SingleAsync(u => u.Id == redeemed.UserId, ct);
        if (redeemed.Purpose == AccountTokenPurposes.EmailChange)
        {
            var to = redeemed.NewEmail!;
            if (await db.Users.AnyAsync(u => u.Email == to && u.Id != user.Id, ct))
            {
                return (LinkOutcome.EmailTaken, null);
            }

            user.Email = to;
        }

        await MarkVerifiedAsync(user, ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (EmailTaken.Is(ex))
        {
            // Another account took the address between the check and the save.
            return (LinkOutcome.EmailTaken, null);
        }

        await tx.CommitAsync(ct);
        return (LinkOutcome.Done, user.Email);
    }

    /// <summary>Sends the verification link again. Null: sent; else the reason it was not (already verified, or the wait until the next may go).</summary>
    public async Task<(bool AlreadyVerified, TimeSpan? RetryAfter)> ResendAsync(Guid userId, string? languageHint, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, ct);
        if (user.EmailVerifiedAt is not null)
        {
            return (true, null);
        }

        var now = Now;
        var recent = await db.AccountTokens
            .Where(t => t.UserId == userId && t.Purpose == AccountTokenPurposes.VerifyEmail && t.CreatedAt > now.AddHours(-1))
            .Select(t => t.CreatedAt).ToListAsync(ct);
        if (recent.Count > 0 && recent.Max() + ResendInterval > now)
        {
            return (false, recent.Max() + ResendInterval - now);
        }

        if (recent.Count >= ResendsPerHour)
        {
            return (false, recent.Min().AddHours(1) - now);
        }

        var token = await tokens.IssueAsync(userId, AccountTokenPurposes.VerifyEmail, null, ct);
        outbox.Enqueue(new EmailRequest(EmailKinds.VerifyEmail, userId, Data(("token", token), (EmailOutboxHandler.LanguageHint, languageHint))));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        Sent();
        return (false, null);
    }

    /// <summary>
    /// A reset link for <paramref name="address"/>, if it has an account (and email is on, and the
    /// address has not had <see cref="ResetsPerHour"/> this hour). The caller answers the same in
    /// every case; an unknown address still costs a lookup, a count and a write transaction.
    /// </summary>
    public async Task RequestResetAsync(string? address, string? languageHint, CancellationToken ct)
    {
        var normalized = AccountRules.NormalizeEmail(address);
        var user = normalized.Length == 0 ? null
            : await db.Users.AsNoTracking().Where(u => u.Email == normalized).Select(u => new { u.Id, u.Suspended }).SingleOrDefaultAsync(ct);
        var userId = user?.Id ?? Guid.Empty;

        // Nobody is signed in: act as the account (an unknown address as no one, which sees no rows).
        tenant.Set(userId);

        await using var tx = await db.BeginWriteAsync(ct);
        var issued = await tokens.CountSinceAsync(userId, AccountTokenPurposes.PasswordReset, Now.AddHours(-1), ct);
        if (user is null || user.Suspended || !EmailOn || issued >= ResetsPerHour)
        {
            await tx.CommitAsync(ct);
            return;
        }

        var token = await tokens.IssueAsync(userId, AccountTokenPurposes.PasswordReset, null, ct);
        outbox.Enqueue(new EmailRequest(EmailKinds.PasswordReset, userId, Data(("token", token), (EmailOutboxHandler.LanguageHint, languageHint))));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        Sent();
    }

    /// <summary>
    /// Sets a new password with a reset link and signs out every session (as a password change
    /// does). The link proved the address too: an unverified one counts as verified from now.
    /// </summary>
    public async Task<bool> ResetPasswordAsync(string? token, string password, CancellationToken ct)
    {
        Guid userId;
        await using (var tx = await db.BeginWriteAsync(ct))
        {
            if (await tokens.RedeemAsync(token, [AccountTokenPurposes.PasswordReset], ct) is not { } redeemed)
            {
                return false;
            }

            userId = redeemed.UserId;
            await db.LockUserAsync(userId, ct);
            var user = await db.Users.SingleAsync(u => u.Id == userId, ct);
            user.PasswordHash = hasher.HashPassword(user, password);
            await MarkVerifiedAsync(user, ct);
            await db.SaveChangesAsync(ct);
            await sessions.SignOutEverywhereAsync(userId, ct);
            await tx.CommitAsync(ct);
        }

        // After the commit, so a closed client's reconnect is refused: open hub connections end now.
        await hubs.SignOutAsync(userId, CancellationToken.None);
        return true;
    }

    /// <summary>
    /// Starts a change of email after the password was checked: with email on, a link to the new
    /// address (the account moves when it is used) and a notice to the old one; with email off the
    /// address cannot be verified, so it changes at once (as sign-up counts addresses verified).
    /// False: the address has an account.
    /// </summary>
    public async Task<bool> ChangeEmailAsync(User user, string newEmail, string? languageHint, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        if (await db.Users.AnyAsync(u => u.Email == newEmail, ct))
        {
            return false;
        }

        if (!EmailOn)
        {
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.Email, newEmail), ct);
            await tx.CommitAsync(ct);
            return true;
        }

        var token = await tokens.IssueAsync(user.Id, AccountTokenPurposes.EmailChange, newEmail, ct);
        outbox.Enqueue(new EmailRequest(EmailKinds.VerifyEmail, user.Id,
            Data(("token", token), ("purpose", "change"), (EmailOutboxHandler.LanguageHint, languageHint)), To: newEmail));
        outbox.Enqueue(new EmailRequest(EmailKinds.EmailChanged, user.Id,
            Data(("newEmail", newEmail), (EmailOutboxHandler.LanguageHint, languageHint)), To: user.Email));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        Sent();
        return true;
    }

    /// <summary>First verification of the account: the address is proven, and the Free credits held back at sign-up are granted.</summary>
    private async Task MarkVerifiedAsync(User user, CancellationToken ct)
    {
        if (user.EmailVerifiedAt is not null)
        {
            return;
        }

        user.EmailVerifiedAt = Now;
        await db.SaveChangesAsync(ct);

        // A period may have ended while unverified: move to the current one, then grant it (once: the key is the period's).
        await periods.EnsureCurrentAsync(user, ct);
        await periods.GrantCurrentPeriodAsync(user, ct);
    }

    private static Dictionary<string, string> Data(params (string Key, string? Value)[] pairs) =>
        pairs.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!);
}
