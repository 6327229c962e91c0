using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Accounts;
using Pingvas.Server.Credits;
using Pingvas.Server.Data;
using Pingvas.Server.Jobs;
using Pingvas.Server.Realtime;

namespace Pingvas.Server.Admin;

public enum AdminChange
{
    Done,
    NotFound,
    UnknownPlan,
    ExceedsBalance,
    KeyReused,
}

/// <summary>
/// What admins do to accounts. Each change is written with its audit row in one transaction under
/// the user's lock; credits move only through the <see cref="Ledger"/>. Runs in system context
/// (the admin group's filter): an admin acts on every user's rows. A deleted account's tombstone
/// (kept only for its ledger and payments) is not an account: it is not listed, shown or changed.
/// </summary>
public sealed class AdminUserService(
    PingvasDb db, Ledger ledger, PlanPeriods periods, TokenService tokens, JobLifecycle lifecycle, AuditLog audit, IHubSignOut hubs, TimeProvider time)
{
    public async Task<(List<AdminUserDto> Items, bool More)> ListAsync(string? q, string? plan, Guid? after, int take, CancellationToken ct)
    {
        var query = db.Users.AsNoTracking().Where(u => u.DeletedAt == null);
        if (!string.IsNullOrWhiteSpace(q))
        {
            // Emails are stored lower-cased; names are compared lower-cased too.
            var needle = q.Trim().ToLowerInvariant();
            query = query.Where(u => u.Email.Contains(needle) || u.Name.ToLower().Contains(needle));
        }

        if (!string.IsNullOrWhiteSpace(plan))
        {
            query = query.Where(u => u.PlanId == plan);
        }

        if (after is { } a)
        {
            query = query.Where(u => u.Id.CompareTo(a) < 0);
        }

        var users = await query.OrderByDescending(u => u.Id).Take(take + 1).ToListAsync(ct);
        return (await ToDtosAsync(users, ct), users.Count > take);
    }

    public async Task<AdminUserDto?> GetAsync(Guid id, CancellationToken ct) =>
        await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id && u.DeletedAt == null, ct) is { } user ? (await ToDtosAsync([user], ct))[0] : null;

    /// <summary>
    /// Changes the plan and/or the suspension. A plan change starts a new billing period now: the
    /// old plan's remaining credits are written off and the new plan's monthly credits granted
    /// (none on Enterprise, which is unlimited); purchased and admin credits stay. Suspending
    /// signs the account out everywhere and closes its hub connections; while it is suspended its
    /// queued jobs are cancelled and refunded and running ones asked to stop, as a user's own cancel would.
    /// </summary>
    public async Task<AdminChange> UpdateAsync(Guid id, AdminUserPatch patch, CancellationToken ct)
    {
        bool suspended;
        await using (var tx = await db.BeginWriteAsync(ct))
        {
            await db.LockUserAsync(id, ct);
            var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id && u.DeletedAt == null, ct);
            if (user is null)
            {
                return AdminChange.NotFound;
            }

            if (patch.Plan is not null && !await db.Plans.AnyAsync(p => p.Id == patch.Plan, ct))
            {
                return AdminChange.UnknownPlan;
            }

            var before = new { plan = user.PlanId, suspended = user.Suspended, periodStart = user.PeriodStart, periodEnd = user.PeriodEnd };
            if (patch.Plan is { } planId && planId != user.PlanId)
            {
                await periods.ChangePlanAsync(user, planId, ct);
            }

            if (patch.Suspended is { } suspend && suspend != user.Suspended)
            {
                user.Suspended = suspend;
                await db.SaveChangesAsync(ct);
                if (suspend)
                {
                    await tokens.SignOutEverywhereAsync(id, ct);
                }
            }

            var after = new { plan = user.PlanId, suspended = user.Suspended, periodStart = user.PeriodStart, periodEnd = user.PeriodEnd };
            if (!before.Equals(after))
            {
                await audit.AddAsync("user.update", "user", id.ToString(), before, after, ct);
                await db.SaveChangesAsync(ct);
            }

            await tx.CommitAsync(ct);
            suspended = user.Suspended;
        }

        if (suspended)
        {
            // After the commit: from here the account's tokens are refused, so no new job arrives
            // and a closed hub connection cannot reconnect. Repeating the PATCH finishes what an
            // interrupted pass left.
            await hubs.SignOutAsync(id, CancellationToken.None);
            await CancelJobsAsync(id, ct);
        }

        return AdminChange.Done;
    }

    /// <summary>A ledger adjustment with its audit row; a repeated key returns the first entry and changes nothing.</summary>
    public async Task<(AdminChange Result, LedgerEntry? Entry, bool Replayed)> AdjustCreditsAsync(
        Guid id, int amount, string reason, DateTime? expiresAt, string idempotencyKey, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(id, ct);
        if (!await db.Users.AnyAsync(u => u.Id == id && u.DeletedAt == null, ct))
        {
            return (AdminChange.NotFound, null, false);
        }

        var balanceBefore = (await ledger.BalanceAsync(id, ct)).Balance;
        if (await ledger.AdjustAsync(id, amount, expiresAt, reason, $"admin:{id:N}:{idempotencyKey}", ct) is not { } adjusted)
        {
            return (AdminChange.ExceedsBalance, null, false);
        }

        if (adjusted.Replayed)
        {
            return adjusted.Entry.Amount == amount && adjusted.Entry.Reason == reason
                ? (AdminChange.Done, adjusted.Entry, true)
                : (AdminChange.KeyReused, null, false);
        }

        await audit.AddAsync("user.credits", "user", id.ToString(),
            new { balance = balanceBefore },
            new { balance = adjusted.Entry.BalanceAfter, amount, reason, expiresAt, entryId = adjusted.Entry.Id }, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (AdminChange.Done, adjusted.Entry, false);
    }

    private async Task CancelJobsAsync(Guid id, CancellationToken ct)
    {
        var active = await db.Jobs.AsNoTracking()
            .Where(j => j.UserId == id && (j.Status == JobStatus.Queued || (j.Status == JobStatus.Running && !j.CancelRequested)))
            .OrderBy(j => j.Id).Select(j => j.Id).ToListAsync(ct);
        foreach (var jobId in active)
        {
            await lifecycle.CancelAsync(id, jobId, ct);
        }
    }

    private async Task<List<AdminUserDto>> ToDtosAsync(List<User> users, CancellationToken ct)
    {
        var ids = users.Select(u => u.Id).ToList();
        var now = time.GetUtcNow().UtcDateTime;
        var plans = await db.Plans.AsNoTracking().ToDictionaryAsync(p => p.Id, ct);
        var spendable = await db.Lots.AsNoTracking()
            .Where(l => ids.Contains(l.UserId) && l.Remaining > 0 && l.ValidFrom <= now && (l.ExpiresAt == null || l.ExpiresAt > now))
            .GroupBy(l => l.UserId).Select(g => new { g.Key, Sum = g.Sum(l => l.Remaining) }).ToDictionaryAsync(x => x.Key, x => x.Sum, ct);
        var reserved = await db.LotHolds.AsNoTracking()
            .Where(h => ids.Contains(h.UserId) && !h.Settled)
            .GroupBy(h => h.UserId).Select(g => new { g.Key, Sum = g.Sum(h => h.Held) }).ToDictionaryAsync(x => x.Key, x => x.Sum, ct);
        return users.Select(u => new AdminUserDto(
            u.Id, u.Email, u.Name, u.Role, u.PlanId, spendable.GetValueOrDefault(u.Id), reserved.GetValueOrDefault(u.Id),
            plans.TryGetValue(u.PlanId, out var plan) && plan.MonthlyCredits is null, u.Suspended, u.TotpEnabledAt is not null,
            u.PeriodEnd, u.CreatedAt)).ToList();
    }
}
