namespace Pingvas.Core.Credits;

/// <summary>How a finished job's hold turns into a charge.</summary>
public sealed record SettlementPlan(IReadOnlyList<LotDraw> ChargedFromHold, IReadOnlyList<LotDraw> Returned, int Shortfall)
{
    public int ChargedFromHoldTotal => ChargedFromHold.Sum(d => d.Amount);
}

public static class Settlement
{
    /// <summary>
    /// Splits <paramref name="charge"/> over the job's holds in the order they were drawn; whatever
    /// the charge does not use goes back to its lot. <see cref="SettlementPlan.Shortfall"/> is the
    /// part of the charge the hold did not cover (the job ran longer than estimated).
    /// </summary>
    public static SettlementPlan Plan(IReadOnlyList<LotDraw> holds, int charge)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(charge);
        var charged = new List<LotDraw>();
        var returned = new List<LotDraw>();
        var left = charge;
        foreach (var hold in holds)
        {
            var take = Math.Min(left, hold.Amount);
            left -= take;
            if (take > 0)
            {
                charged.Add(hold with { Amount = take });
            }

            if (hold.Amount - take > 0)
            {
                returned.Add(hold with { Amount = hold.Amount - take });
            }
        }

        return new SettlementPlan(charged, returned, left);
    }
}
