namespace Pingvas.Server.Billing;

/// <summary>A webhook event we accepted, keyed by (provider, event id): a replay finds it and changes nothing.</summary>
public sealed class BillingEvent
{
    public Guid Id { get; set; }

    public required string Provider { get; set; }

    public required string EventId { get; set; }

    public required string EventName { get; set; }

    public Guid? UserId { get; set; }

    /// <summary>What processing did: applied, stale, ignored, unknown, enterprise, no_user.</summary>
    public required string Outcome { get; set; }

    public required string Payload { get; set; }

    public DateTime ReceivedAt { get; set; }
}
