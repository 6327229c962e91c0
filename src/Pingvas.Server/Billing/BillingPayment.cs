namespace Pingvas.Server.Billing;

/// <summary>One line of the payment history: a payment, a failed payment or a refund, in minor units.</summary>
public sealed class BillingPayment
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required string Provider { get; set; }

    /// <summary>The provider's object (invoice, order, charge) this line stands for; unique per provider.</summary>
    public required string Reference { get; set; }

    /// <summary>subscription, renewal, topup or refund.</summary>
    public required string Kind { get; set; }

    public required string Description { get; set; }

    public int Amount { get; set; }

    public required string Currency { get; set; }

    /// <summary>paid, failed or refunded.</summary>
    public required string Status { get; set; }

    public DateTime At { get; set; }
}
