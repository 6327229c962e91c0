namespace Pingvas.Core.Credits;

/// <summary>
/// Decides which lots pay for an amount: the lot that expires soonest first, lots without
/// expiry after that, purchased credits last; the oldest lot breaks ties.
/// </summary>
public static class LotAllocator
{
    public static IEnumerable<CreditLot> SpendOrder(IEnumerable<CreditLot> lots, DateTime now) =>
        lots.Where(l => l.IsSpendable(now))
            .OrderBy(l => l.SpendRank)
            .ThenBy(l => l.ExpiresAt ?? DateTime.MaxValue)
            .ThenBy(l => l.CreatedAt)
            .ThenBy(l => l.Id);

    public static int Spendable(IEnumerable<CreditLot> lots, DateTime now) =>
        lots.Where(l => l.IsSpendable(now)).Sum(l => l.Remaining);

    /// <summary>
    /// Draws <paramref name="amount"/> from the lots in spend order, or returns <c>null</c> when
    /// they do not hold enough — nothing is ever drawn partially.
    /// </summary>
    public static IReadOnlyList<LotDraw>? TryDraw(IEnumerable<CreditLot> lots, int amount, DateTime now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        var draws = new List<LotDraw>();
        var left = amount;
        foreach (var lot in SpendOrder(lots, now))
        {
            if (left == 0)
            {
                break;
            }

            var take = Math.Min(left, lot.Remaining);
            draws.Add(new LotDraw(lot.Id, take));
            left -= take;
        }

        return left == 0 ? draws : null;
    }

    /// <summary>
    /// Draws as much of <paramref name="amount"/> as the lots hold (used when a job ran longer
    /// than its estimate: the balance may reach zero but never go below it).
    /// </summary>
    public static IReadOnlyList<LotDraw> DrawUpTo(IEnumerable<CreditLot> lots, int amount, DateTime now)
    {
        var available = Spendable(lots, now);
        return TryDraw(lots, Math.Min(amount, available), now) ?? [];
    }
}
