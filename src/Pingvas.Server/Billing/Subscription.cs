namespace Pingvas.Server.Billing;

/// <summary>
/// A provider subscription as its webhooks told us. <see cref="PaidThrough"/> is the end of the
/// last paid period we granted credits for; <see cref="StateAt"/> the provider's timestamp of the
/// last subscription state applied (an older state arriving late is ignored).
/// </summary>
public sealed class Subscription
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required string Provider { get; set; }

    public required string ProviderSubscriptionId { get; set; }

    public string? ProviderCustomerId { get; set; }

    /// <summary>The plan in effect now (a downgrade waits in <see cref="PendingPlanId"/>).</summary>
    public required string PlanId { get; set; }

    public required string Interval { get; set; }

    /// <summary><see cref="SubscriptionStatus"/>.</summary>
    public required string Status { get; set; }

    public bool CancelAtPeriodEnd { get; set; }

    public DateTime PaidThrough { get; set; }

    public DateTime? RenewsAt { get; set; }

    public DateTime? EndsAt { get; set; }

    public string? PendingPlanId { get; set; }

    public string? PendingInterval { get; set; }

    public DateTime? GraceUntil { get; set; }

    public DateTime StateAt { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    /// <summary>Still drives the user's plan (not expired).</summary>
    public bool IsLive => Status != SubscriptionStatus.Expired;
}

public static class SubscriptionStatus
{
    public const string Active = "active";
    public const string PastDue = "past_due";
    public const string Paused = "paused";
    public const string Expired = "expired";
}
