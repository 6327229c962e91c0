using Microsoft.EntityFrameworkCore;

using Pingvas.Core.Credits;
using Pingvas.Server.Data;

namespace Pingvas.Server.Credits;

public sealed record CreditBalance(int Balance, int Reserved);

/// <summary>
/// The only code that moves credits. Every method runs inside the caller's write transaction
/// (after <see cref="Transactions.LockUserAsync"/>), writes append-only entries with unique
/// idempotency keys, and keeps the balance equal to the sum of the user's entries.
/// </summary>
public sealed class Ledger(PingvasDb db, TimeProvider time, Telemetry.PingvasMetrics metrics)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Spendable now (reservations already taken out) and currently reserved.</summary>
    public async Task<CreditBalance> BalanceAsync(Guid userId, CancellationToken ct)
    {
        var spendable = await SpendableAsync(userId, ct);
        var reserved = await db.LotHolds.Where(h => h.UserId == userId && !h.Settled).SumAsync(h => h.Held, ct);
        return new CreditBalance(spendable, reserved);
    }

    /// <summary>Adds a lot. Returns false (and changes nothing) when the key was used before.</summary>
    /// <param name="orderRef">The provider order a purchased lot came from, so a refund of it can find the lot.</param>
    public async Task<bool> GrantAsync(Guid userId, LotSource source, int amount, DateTime? expiresAt, string reason, string idempotencyKey, CancellationToken ct, string? orderRef = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        if (await db.Ledger.AnyAsync(e => e.IdempotencyKey == idempotencyKey, ct))
        {
            return false;
        }

        var now = Now;
        var before = await SpendableAsync(userId, ct);
        db.Lots.Add(new Lot
        {
            Id = Ids.New(),
            UserId = userId,
            Source = source,
            Granted = amount,
            Remaining = amount,
            ValidFrom = now,
            ExpiresAt = expiresAt,
            Reason = reason,
            CreatedAt = now,
            OrderRef = orderRef,
        });
        Append(userId, LedgerKind.Grant, amount, before + amount, reason, null, idempotencyKey);
        await db.SaveChangesAsync(ct);
        metrics.CreditsGranted(source switch { LotSource.Plan => "plan", LotSource.Purchase => "topup", LotSource.Refund => "refund", _ => "adjustment" }, amount);
        return true;
    }

    /// <summary>
    /// Holds <paramref name="amount"/> for a job, drawn from lots in spend order, and saves it
    /// together with whatever else the caller has added to the context (the job itself), in one
    /// batch. When the spendable balance is short it holds and saves nothing. Either way it returns
    /// the spendable balance afterwards.
    /// </summary>
    public async Task<(bool Reserved, int Balance)> ReserveAsync(Guid userId, Guid jobId, int amount, CancellationToken ct)
    {
        var now = Now;
        var lots = await db.Lots.Where(l => l.UserId == userId && l.Remaining > 0).ToListAsync(ct);
        ExpireDue(userId, lots, null, now);
        var before = LotAllocator.Spendable(lots.Select(l => l.ToRule()), now);
        var draws = LotAllocator.TryDraw(lots.Select(l => l.ToRule()), amount, now);
        if (draws is null)
        {
            return (false, before);
        }

        var sequence = 0;
        foreach (var draw in draws)
        {
            lots.Single(l => l.Id == draw.LotId).Remaining -= draw.Amount;
            db.LotHolds.Add(new LotHold { Id = Ids.New(), JobId = jobId, LotId = draw.LotId, UserId = userId, Sequence = sequence++, Held = draw.Amount });
        }

        Append(userId, LedgerKind.Reserve, -amount, before - amount, "Reserved for a generation", jobId, $"reserve:{jobId}");
        await db.SaveChangesAsync(ct);
        return (true, before - amount);
    }

    /// <summary>
    /// Settles a job: lifts its hold and charges <paramref name="charge"/> credits, drawing any
    /// overrun from the balance but never below zero, and saves with whatever else the caller has
    /// changed in the context. Idempotent per job: a second call changes nothing and returns the
    /// amount charged the first time. Returns the amount charged and the spendable balance after.
    /// </summary>
    public async Task<(int Charged, int Balance)> SettleAsync(Guid userId, Guid jobId, int charge, string reason, CancellationToken ct)
    {
        var now = Now;
        var lots = await db.Lots.Where(l => l.UserId == userId).ToListAsync(ct);
        var done = await db.Ledger
            .Where(e => e.IdempotencyKey == $"charge:{jobId}" || e.IdempotencyKey == $"release:{jobId}")
            .Select(e => new { e.Kind, e.Amount })
            .ToListAsync(ct);
        if (done.Count > 0)
        {
            await db.SaveChangesAsync(ct);
            return (-done.Where(e => e.Kind == LedgerKind.Charge).Sum(e => e.Amount), LotAllocator.Spendable(lots.Select(l => l.ToRule()), now));
        }

        var holds = await db.LotHolds.Where(h => h.JobId == jobId && !h.Settled).OrderBy(h => h.Sequence).ToListAsync(ct);
        var before = LotAllocator.Spendable(lots.Select(l => l.ToRule()), now);
        var held = holds.Sum(h => h.Held);

        var plan = Settlement.Plan(holds.Select(h => new LotDraw(h.LotId, h.Held)).ToList(), charge);
        foreach (var hold in holds)
        {
            hold.Charged = plan.ChargedFromHold.Where(d => d.LotId == hold.LotId).Sum(d => d.Amount);
            hold.Settled = true;
        }

        foreach (var back in plan.Returned)
        {
            lots.Single(l => l.Id == back.LotId).Remaining += back.Amount;
        }

        // The job ran longer than its estimate: take the rest from the balance, as far as it goes.
        var extra = LotAllocator.DrawUpTo(lots.Select(l => l.ToRule()), plan.Shortfall, now);
        var sequence = holds.Count;
        foreach (var draw in extra)
        {
            lots.Single(l => l.Id == draw.LotId).Remaining -= draw.Amount;
            db.LotHolds.Add(new LotHold { Id = Ids.New(), JobId = jobId, LotId = draw.LotId, UserId = userId, Sequence = sequence++, Held = draw.Amount, Charged = draw.Amount, Settled = true });
        }

        var charged = plan.ChargedFromHoldTotal + extra.Sum(d => d.Amount);
        var balance = before;
        if (held > 0)
        {
            balance += held;
            Append(userId, LedgerKind.Release, held, balance, "Reservation released at settlement", jobId, $"release:{jobId}");
        }

        balance -= charged;
        Append(userId, LedgerKind.Charge, -charged, balance, reason, jobId, $"charge:{jobId}");

        // Credits returned to a lot that expired meanwhile are written off at once.
        ExpireDue(userId, lots.Where(l => l.Remaining > 0).ToList(), jobId, now);
        await db.SaveChangesAsync(ct);
        return (charged, LotAllocator.Spendable(lots.Select(l => l.ToRule()), now));
    }

    /// <summary>Returns a job's whole hold (failure, cancel before start). Idempotent per job. Returns the spendable balance after.</summary>
    public async Task<int> ReleaseAsync(Guid userId, Guid jobId, string reason, CancellationToken ct)
    {
        var now = Now;
        var lots = await db.Lots.Where(l => l.UserId == userId).ToListAsync(ct);
        var holds = await db.LotHolds.Where(h => h.JobId == jobId && !h.Settled).ToListAsync(ct);
        var held = holds.Sum(h => h.Held);
        if (held > 0 && !await db.Ledger.AnyAsync(e => e.IdempotencyKey == $"release:{jobId}" || e.IdempotencyKey == $"charge:{jobId}", ct))
        {
            var before = LotAllocator.Spendable(lots.Select(l => l.ToRule()), now);
            foreach (var hold in holds)
            {
                lots.Single(l => l.Id == hold.LotId).Remaining += hold.Held;
                hold.Settled = true;
            }

            Append(userId, LedgerKind.Release, held, before + held, reason, jobId, $"release:{jobId}");
            ExpireDue(userId, lots.Where(l => l.Remaining > 0).ToList(), jobId, now);
        }

        await db.SaveChangesAsync(ct);
        return LotAllocator.Spendable(lots.Select(l => l.ToRule()), now);
    }

    /// <summary>
    /// Writes off what is left in lots past their expiry, so the ledger keeps summing to the
    /// balance. Runs before every reservation and after credits return to a lot.
    /// </summary>
    public async Task ExpireDueAsync(Guid userId, Guid? afterJob, CancellationToken ct)
    {
        var lots = await db.Lots.Where(l => l.UserId == userId && l.Remaining > 0).ToListAsync(ct);
        if (ExpireDue(userId, lots, afterJob, Now))
        {
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>Writes off the expired remainder of <paramref name="lots"/> (a user's non-empty lots) in the context; true when any expired.</summary>
    private bool ExpireDue(Guid userId, List<Lot> lots, Guid? afterJob, DateTime now)
    {
        var due = lots.Where(l => l.ExpiresAt <= now).ToList();

        // Expired lots are already excluded from the spendable sum, so the running balance starts there.
        var balance = LotAllocator.Spendable(lots.Select(l => l.ToRule()), now);
        foreach (var lot in due)
        {
            Append(userId, LedgerKind.Expire, -lot.Remaining, balance, $"Credits expired ({lot.Reason})", afterJob,
                afterJob is null ? $"expire:{lot.Id}:{lot.Remaining}:{now.Ticks}" : $"expire:{lot.Id}:{afterJob}");
            lot.Remaining = 0;
        }

        return due.Count > 0;
    }

    /// <summary>
    /// An admin adjustment, positive (a new admin lot, expiring at <paramref name="expiresAt"/> or
    /// never) or negative (drawn from the spendable lots in spend order; reserved credits are not
    /// spendable, so it never reaches into them). Idempotent per key: a repeat changes nothing and
    /// returns the first entry. Null when a negative amount exceeds the spendable balance.
    /// </summary>
    public async Task<(LedgerEntry Entry, bool Replayed)?> AdjustAsync(
        Guid userId, int amount, DateTime? expiresAt, string reason, string idempotencyKey, CancellationToken ct)
    {
        if (await db.Ledger.AsNoTracking().SingleOrDefaultAsync(e => e.IdempotencyKey == idempotencyKey, ct) is { } earlier)
        {
            return (earlier, true);
        }

        var now = Now;
        var lots = await db.Lots.Where(l => l.UserId == userId && l.Remaining > 0).ToListAsync(ct);
        ExpireDue(userId, lots, null, now);
        var before = LotAllocator.Spendable(lots.Select(l => l.ToRule()), now);
        if (amount > 0)
        {
            db.Lots.Add(new Lot
            {
                Id = Ids.New(),
                UserId = userId,
                Source = LotSource.Admin,
                Granted = amount,
                Remaining = amount,
                ValidFrom = now,
                ExpiresAt = expiresAt,
                Reason = reason,
                CreatedAt = now,
            });
        }
        else
        {
            if (LotAllocator.TryDraw(lots.Select(l => l.ToRule()), -amount, now) is not { } draws)
            {
                return null;
            }

            foreach (var draw in draws)
            {
                lots.Single(l => l.Id == draw.LotId).Remaining -= draw.Amount;
            }
        }

        var entry = Append(userId, LedgerKind.Adjust, amount, before + amount, reason, null, idempotencyKey);
        await db.SaveChangesAsync(ct);
        metrics.CreditsGranted("adjustment", amount);
        return (entry, false);
    }

    /// <summary>
    /// Ends the current period's plan credits now (a plan change starts a new period): what is
    /// left of the plan lots is written off; credits held for jobs return to them and are written
    /// off when released, as for any lot that expired meanwhile.
    /// </summary>
    public async Task EndPlanLotsAsync(Guid userId, CancellationToken ct)
    {
        var now = Now;
        var lots = await db.Lots.Where(l => l.UserId == userId && l.Source == LotSource.Plan && (l.ExpiresAt == null || l.ExpiresAt > now)).ToListAsync(ct);
        foreach (var lot in lots)
        {
            lot.ExpiresAt = now;
        }

        await db.SaveChangesAsync(ct);
        await ExpireDueAsync(userId, null, ct);
    }

    /// <summary>
    /// A refunded order: what is left of the lots it bought is removed (an adjustment, never below
    /// zero; credits already spent stay spent). Idempotent per key. Returns the credits removed.
    /// </summary>
    public async Task<int> RevokeOrderAsync(Guid userId, string orderRef, string reason, string idempotencyKey, CancellationToken ct)
    {
        if (await db.Ledger.AnyAsync(e => e.IdempotencyKey == idempotencyKey, ct))
        {
            return 0;
        }

        var now = Now;
        var lots = await db.Lots.Where(l => l.UserId == userId && l.Remaining > 0).ToListAsync(ct);
        ExpireDue(userId, lots, null, now);
        var before = LotAllocator.Spendable(lots.Select(l => l.ToRule()), now);
        var removed = 0;
        foreach (var lot in lots.Where(l => l.OrderRef == orderRef && l.Remaining > 0))
        {
            removed += lot.Remaining;
            lot.Remaining = 0;
        }

        if (removed > 0)
        {
            Append(userId, LedgerKind.Adjust, -removed, before - removed, reason, null, idempotencyKey);
        }

        await db.SaveChangesAsync(ct);
        return removed;
    }

    /// <summary>Records usage without moving credits (unlimited plans). Returns the spendable balance.</summary>
    public async Task<int> RecordUsageAsync(Guid userId, Guid jobId, int usage, CancellationToken ct)
    {
        var balance = await SpendableAsync(userId, ct);
        if (!await db.Ledger.AnyAsync(e => e.IdempotencyKey == $"charge:{jobId}", ct))
        {
            Append(userId, LedgerKind.Charge, 0, balance, $"Usage of {usage} credits (unlimited plan)", jobId, $"charge:{jobId}");
        }

        await db.SaveChangesAsync(ct);
        return balance;
    }

    private Task<int> SpendableAsync(Guid userId, CancellationToken ct)
    {
        var now = Now;
        return db.Lots
            .Where(l => l.UserId == userId && l.Remaining > 0 && l.ValidFrom <= now && (l.ExpiresAt == null || l.ExpiresAt > now))
            .SumAsync(l => l.Remaining, ct);
    }

    private LedgerEntry Append(Guid userId, LedgerKind kind, int amount, int balanceAfter, string reason, Guid? jobId, string key) =>
        db.Ledger.Add(new LedgerEntry
        {
            Id = Ids.New(),
            UserId = userId,
            Kind = kind,
            Amount = amount,
            BalanceAfter = balanceAfter,
            Reason = reason,
            JobId = jobId,
            IdempotencyKey = key,
            CreatedAt = Now,
        }).Entity;
}
