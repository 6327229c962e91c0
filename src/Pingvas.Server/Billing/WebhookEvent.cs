namespace Pingvas.Server.Billing;

/// <summary>
/// A provider's webhook event reduced to what our billing acts on. Both providers' parsers
/// (Lemon Squeezy, Stripe) produce these; <see cref="SubscriptionLifecycle"/> applies them.
/// </summary>
/// <param name="EventId">Unique per provider: a replay carries the same id.</param>
/// <param name="UserId">Our user, when the event carries it (custom data / metadata).</param>
/// <param name="Change">What to do; null for an event we do not act on (stored and acknowledged).</param>
public sealed record WebhookEvent(string Provider, string EventId, string EventName, Guid? UserId, BillingChange? Change);

public abstract record BillingChange;

/// <summary>
/// The provider's view of a subscription at <paramref name="StateAt"/> (its own timestamp: older
/// states than the last applied one are ignored).
/// </summary>
/// <param name="ProductId">The variant / price id; null when the event does not say.</param>
/// <param name="Status">One of <see cref="SubscriptionStatus"/>.</param>
/// <param name="PeriodEnd">When the paid period ends (renews_at / current_period_end); null when unknown.</param>
public sealed record SubscriptionState(
    string SubscriptionId, string? CustomerId, string? ProductId, string Status, bool CancelAtPeriodEnd,
    DateTime? PeriodEnd, DateTime? EndsAt, DateTime StateAt) : BillingChange;

public enum PaymentReason
{
    /// <summary>The first payment of a subscription.</summary>
    Initial,

    /// <summary>A new period's payment.</summary>
    Renewal,

    /// <summary>A mid-period charge (a plan change's proration).</summary>
    Update,
}

/// <summary>A subscription payment (or its failure). Reference is the provider's invoice.</summary>
public sealed record SubscriptionPayment(
    string SubscriptionId, string? CustomerId, string Reference, PaymentReason Reason, bool Paid, int Amount, string Currency,
    string? ProductId, DateTime? PeriodStart, DateTime? PeriodEnd, DateTime At) : BillingChange;

/// <summary>A one-off order (a top-up pack). OrderRef is what the lot remembers.</summary>
public sealed record OrderPaid(string OrderRef, string? ProductId, int Amount, string Currency, DateTime At) : BillingChange;

/// <summary>A refund of an order or charge; Reference names the refund itself.</summary>
public sealed record OrderRefunded(string OrderRef, string Reference, int Amount, string Currency, DateTime At) : BillingChange;
