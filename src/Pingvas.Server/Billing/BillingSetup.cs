namespace Pingvas.Server.Billing;

public static class BillingSetup
{
    /// <summary>
    /// Webhook processing, the subscription lifecycle and its daily reconciliation. The provider
    /// API (<see cref="IBillingProvider"/>) is registered beside, only when one is configured.
    /// </summary>
    public static IServiceCollection AddBilling(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<BillingOptions>(configuration.GetSection("Billing"));
        services.AddScoped<BillingMail>();
        services.AddScoped<SubscriptionLifecycle>();
        services.AddScoped<WebhookProcessor>();
        services.AddSingleton<BillingReconciliation>();
        services.AddHostedService(sp => sp.GetRequiredService<BillingReconciliation>());
        return services;
    }
}
