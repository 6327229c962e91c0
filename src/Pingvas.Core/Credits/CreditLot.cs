namespace Pingvas.Core.Credits;

/// <summary>Where a grant of credits came from. The order here is not the spend order.</summary>
public enum LotSource
{
    Plan,
    Purchase,
    Admin,
    Promo,
    Refund,
}

/// <summary>A lot's state as the allocation rules see it.</summary>
public sealed record CreditLot(
    Guid Id,
    LotSource Source,
    int Remaining,
    DateTime ValidFrom,
    DateTime? ExpiresAt,
    DateTime CreatedAt)
{
    public bool IsSpendable(DateTime now) =>
        Remaining > 0 && ValidFrom <= now && (ExpiresAt is null || ExpiresAt > now);

    public bool IsExpired(DateTime now) => ExpiresAt is not null && ExpiresAt <= now;

    /// <summary>Purchased credits never expire and are spent last (PRODUCT.md §3).</summary>
    public int SpendRank => Source == LotSource.Purchase ? 1 : 0;
}

/// <summary>A part of an amount taken from one lot.</summary>
public sealed record LotDraw(Guid LotId, int Amount);
