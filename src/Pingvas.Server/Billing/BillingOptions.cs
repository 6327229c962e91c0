namespace Pingvas.Server.Billing;

/// <summary>
/// <c>Billing__*</c> settings. Product maps are keyed <c>&lt;plan&gt;_&lt;interval&gt;</c>
/// (e.g. <c>starter_monthly</c>) for plans and by the number of credits for top-ups; the values are
/// the provider's ids (Lemon Squeezy variant ids, Stripe price ids).
/// </summary>
public sealed class BillingOptions
{
    /// <summary>"lemonsqueezy" or "stripe"; billing is off when the chosen provider has no API key.</summary>
    public string Provider { get; set; } = "lemonsqueezy";

    /// <summary>Days of grace after a failed renewal payment before the account returns to Free.</summary>
    public int GraceDays { get; set; } = 7;

    /// <summary>Hours between two runs of the reconciliation (period-end downgrades, cancellations, grace expiry); 0 = off.</summary>
    public int ReconcileHours { get; set; } = 24;

    public LemonSqueezyOptions LemonSqueezy { get; set; } = new();

    public StripeOptions Stripe { get; set; } = new();
}

public sealed class LemonSqueezyOptions
{
    public string ApiUrl { get; set; } = "https://api.lemonsqueezy.com";

    public string? ApiKey { get; set; }

    public string? StoreId { get; set; }

    public string? SigningSecret { get; set; }

    public Dictionary<string, string> Variants { get; set; } = [];

    public Dictionary<string, string> TopUps { get; set; } = [];
}

public sealed class StripeOptions
{
    public string ApiUrl { get; set; } = "https://api.stripe.com";

    public string? SecretKey { get; set; }

    public string? WebhookSecret { get; set; }

    public Dictionary<string, string> Prices { get; set; } = [];

    public Dictionary<string, string> TopUps { get; set; } = [];
}

/// <summary>The two-way map between our products and the configured provider's ids.</summary>
public sealed class BillingCatalog(Dictionary<string, string> plans, Dictionary<string, string> topUps)
{
    public static readonly IReadOnlyList<string> Intervals = ["monthly", "annual"];

    public static BillingCatalog For(BillingOptions o) => o.Provider == "stripe"
        ? new(o.Stripe.Prices, o.Stripe.TopUps)
        : new(o.LemonSqueezy.Variants, o.LemonSqueezy.TopUps);

    /// <summary>The provider's id for the product, or null when it is not on sale.</summary>
    public string? IdOf(BillingProduct product) => product.IsTopUp
        ? topUps.GetValueOrDefault(product.TopUpCredits!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))
        : plans.GetValueOrDefault($"{product.PlanId}_{product.Interval}");

    /// <summary>The product a provider id stands for, or null for an id we do not sell.</summary>
    public BillingProduct? ProductOf(string providerId)
    {
        foreach (var (key, id) in plans)
        {
            var cut = key.LastIndexOf('_');
            if (id == providerId && cut > 0)
            {
                return BillingProduct.Plan(key[..cut], key[(cut + 1)..]);
            }
        }

        foreach (var (credits, id) in topUps)
        {
            if (id == providerId && int.TryParse(credits, System.Globalization.CultureInfo.InvariantCulture, out var n))
            {
                return BillingProduct.TopUp(n);
            }
        }

        return null;
    }

    /// <summary>The top-up packs on sale, smallest first.</summary>
    public IReadOnlyList<int> TopUpPacks => [.. topUps.Keys.Select(k => int.Parse(k, System.Globalization.CultureInfo.InvariantCulture)).Order()];
}
