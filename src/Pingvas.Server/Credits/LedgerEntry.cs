namespace Pingvas.Server.Credits;

/// <summary>
/// One append-only credit movement. <see cref="Amount"/> is its effect on the spendable balance;
/// the balance always equals the sum of a user's entries. The idempotency key is unique, so a
/// replayed operation cannot move credits twice.
/// </summary>
public sealed class LedgerEntry
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public LedgerKind Kind { get; set; }

    public int Amount { get; set; }

    public int BalanceAfter { get; set; }

    public required string Reason { get; set; }

    public Guid? JobId { get; set; }

    public required string IdempotencyKey { get; set; }

    public DateTime CreatedAt { get; set; }
}

public enum LedgerKind
{
    Grant,
    Reserve,
    Release,
    Charge,
    Refund,
    Adjust,
    Expire,
}
