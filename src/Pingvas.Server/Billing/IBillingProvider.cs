namespace Pingvas.Server.Billing;

/// <summary>What a customer buys: a plan for an interval, or a top-up pack of credits.</summary>
public sealed record BillingProduct(string? PlanId, string? Interval, int? TopUpCredits)
{
    public static BillingProduct Plan(string planId, string interval) => new(planId, interval, null);

    public static BillingProduct TopUp(int credits) => new(null, null, credits);

    public bool IsTopUp => TopUpCredits is not null;
}

/// <summary>The buyer, as the provider's checkout needs them.</summary>
public sealed record BillingCustomer(Guid UserId, string Email, string Name);

/// <summary>
/// The payment provider's API (Lemon Squeezy or Stripe, chosen by <c>Billing__Provider</c>).
/// Calls only ask the provider to do something: our state changes when its webhook arrives.
/// </summary>
public interface IBillingProvider
{
    /// <summary>"lemonsqueezy" or "stripe".</summary>
    string Name { get; }

    /// <summary>Creates a hosted checkout for the product with our user id attached; returns its URL.</summary>
    Task<Uri> CreateCheckoutAsync(BillingCustomer customer, BillingProduct product, CancellationToken ct);

    /// <summary>Switches the subscription to another plan/interval; the provider prorates.</summary>
    Task ChangePlanAsync(string subscriptionId, BillingProduct product, CancellationToken ct);

    /// <summary>Cancels at the end of the paid period.</summary>
    Task CancelAsync(string subscriptionId, CancellationToken ct);

    /// <summary>Undoes a cancellation before the period ends.</summary>
    Task ResumeAsync(string subscriptionId, CancellationToken ct);

    /// <summary>A link to the provider's customer portal (payment method, invoices).</summary>
    Task<Uri> PortalUrlAsync(string subscriptionId, string? customerId, CancellationToken ct);
}

/// <summary>The provider refused or could not be reached; the endpoint answers 502 billing_provider_error.</summary>
public sealed class BillingProviderException(string message, Exception? inner = null) : Exception(message, inner);
