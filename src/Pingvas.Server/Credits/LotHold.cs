namespace Pingvas.Server.Credits;

/// <summary>Which lot paid which job: the part of a job's reservation drawn from one lot, and what was charged of it.</summary>
public sealed class LotHold
{
    public Guid Id { get; set; }

    public Guid JobId { get; set; }

    public Guid LotId { get; set; }

    public Guid UserId { get; set; }

    /// <summary>Order in which the hold was drawn; settlement charges holds in this order.</summary>
    public int Sequence { get; set; }

    public int Held { get; set; }

    public int Charged { get; set; }

    public bool Settled { get; set; }
}
