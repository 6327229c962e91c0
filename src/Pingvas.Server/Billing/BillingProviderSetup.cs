using Pingvas.Server.Billing.LemonSqueezy;
using Pingvas.Server.Billing.Stripe;

namespace Pingvas.Server.Billing;

/// <summary>
/// Binds <c>Billing__*</c> and registers the chosen provider's API as <see cref="IBillingProvider"/>,
/// only when that provider has its keys (Lemon Squeezy: ApiKey and StoreId; Stripe: SecretKey).
/// Without them nothing is registered and billing is off (the embedded default).
/// </summary>
public static class BillingProviderSetup
{
    public static readonly IReadOnlyList<string> Providers = [LemonSqueezyClient.ProviderName, StripeClient.ProviderName];

    public static IServiceCollection AddBillingProvider(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection("Billing");
        var options = section.Get<BillingOptions>() ?? new BillingOptions();
        var provider = Normalize(options.Provider);
        if (!Providers.Contains(provider))
        {
            throw new InvalidOperationException(
                $"Billing__Provider '{options.Provider}' is not a payment provider Pingvas knows: use {string.Join(" or ", Providers)}.");
        }

        services.Configure<BillingOptions>(section);
        services.PostConfigure<BillingOptions>(o => o.Provider = Normalize(o.Provider));
        if (provider == LemonSqueezyClient.ProviderName && IsSet(options.LemonSqueezy.ApiKey) && IsSet(options.LemonSqueezy.StoreId))
        {
            services.AddHttpClient<IBillingProvider, LemonSqueezyClient>(http => Configure(http, options.LemonSqueezy.ApiUrl));
        }
        else if (provider == StripeClient.ProviderName && IsSet(options.Stripe.SecretKey))
        {
            services.AddHttpClient<IBillingProvider, StripeClient>(http => Configure(http, options.Stripe.ApiUrl));
        }

        return services;
    }

    private static void Configure(HttpClient http, string apiUrl)
    {
        http.BaseAddress = new Uri(apiUrl.TrimEnd('/') + "/");
        http.Timeout = BillingHttpClient.Timeout;
    }

    /// <summary>Lower-cased; an empty setting means the default, Lemon Squeezy.</summary>
    private static string Normalize(string? provider) =>
        string.IsNullOrWhiteSpace(provider) ? LemonSqueezyClient.ProviderName : provider.Trim().ToLowerInvariant();

    private static bool IsSet(string? value) => !string.IsNullOrWhiteSpace(value);
}
