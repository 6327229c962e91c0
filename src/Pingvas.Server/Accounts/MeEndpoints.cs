using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Credits;
using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Accounts;

public sealed record PlanSummary(string Id, string Name, int QueuePriority, int? ConcurrentJobs, int MaxSide, int MaxBatch, int? MonthlyCredits);

public sealed record CreditsSummary(int Balance, int Reserved, bool Unlimited, DateTime PeriodEnd);

/// <param name="Language">The account's UI language (<c>ko</c> or <c>en</c>), null until chosen.</param>
/// <param name="TotpEnabled">TOTP is enrolled: sign-in asks for a code.</param>
/// <param name="EmailVerified">The address is verified (with no SMTP server configured, from sign-up).</param>
/// <param name="PendingEmail">The new address of a change of email waiting for its link to be used.</param>
/// <param name="HasPassword">The account has a password (one made with an external sign-in has none until a reset link sets it).</param>
public sealed record MeResponse(
    Guid Id, string Email, string Name, string Role, PlanSummary Plan, CreditsSummary Credits, DateTime CreatedAt, string? Language, bool TotpEnabled, bool Suspended,
    bool EmailVerified, string? PendingEmail, bool HasPassword);

/// <summary>The signed-in user's profile, plan and credits; rolls the billing period forward first.</summary>
public sealed class MeService(PingvasDb db, PlanPeriods periods, Ledger ledger, AccountTokens tokens, TimeProvider time)
{
    public async Task<MeResponse?> GetAsync(Guid userId, CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
        {
            return null;
        }

        // Only take the write lock when a period rolled over or a lot expired: reads stay reads.
        var now = time.GetUtcNow().UtcDateTime;
        if (user.PeriodEnd <= now || await db.Lots.AnyAsync(l => l.UserId == userId && l.Remaining > 0 && l.ExpiresAt <= now, ct))
        {
            await using var tx = await db.BeginWriteAsync(ct);
            await db.LockUserAsync(userId, ct);
            await periods.EnsureCurrentAsync(user, ct);
            await ledger.ExpireDueAsync(userId, null, ct);
            await tx.CommitAsync(ct);
        }

        var plan = await db.Plans.SingleAsync(p => p.Id == user.PlanId, ct);
        var balance = await ledger.BalanceAsync(userId, ct);
        return new MeResponse(user.Id, user.Email, user.Name, user.Role,
            new PlanSummary(plan.Id, plan.Name, plan.QueuePriority, plan.ConcurrentJobs, plan.MaxSide, plan.MaxBatch, plan.MonthlyCredits),
            new CreditsSummary(balance.Balance, balance.Reserved, plan.MonthlyCredits is null, user.PeriodEnd),
            user.CreatedAt, user.Language, user.TotpEnabledAt is not null, user.Suspended,
            user.EmailVerifiedAt is not null, await tokens.PendingEmailAsync(userId, ct), user.PasswordHash.Length > 0);
    }
}
