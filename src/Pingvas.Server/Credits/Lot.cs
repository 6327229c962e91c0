using Pingvas.Core.Credits;

namespace Pingvas.Server.Credits;

/// <summary>A grant of credits with its source, validity window and what is left of it.</summary>
public sealed class Lot
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public LotSource Source { get; set; }

    public int Granted { get; set; }

    public int Remaining { get; set; }

    public DateTime ValidFrom { get; set; }

    public DateTime? ExpiresAt { get; set; }

    public required string Reason { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>The provider order a purchased lot came from (a refund of it removes what is left).</summary>
    public string? OrderRef { get; set; }

    public CreditLot ToRule() => new(Id, Source, Remaining, ValidFrom, ExpiresAt, CreatedAt);
}
