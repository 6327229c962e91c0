using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pingvas.Engines.Relay;

/// <summary>
/// Registers one relay engine per external provider that has an API key in configuration
/// (<c>Engines:Relay:Gemini</c>, <c>:Stability</c>, <c>:Replicate</c>). A provider without a key is
/// not registered, so its catalog model stays <c>model_unavailable</c>.
/// </summary>
public static class RelaySetup
{
    public static IServiceCollection AddRelayEngines(this IServiceCollection services, IConfiguration configuration)
    {
        var gemini = Bind(configuration, "Gemini", new RelayProviderOptions
        {
            BaseUrl = "https://generativelanguage.googleapis.com",
            Model = "gemini-2.5-flash-image",
            CatalogModel = "nano-banana",
            PriceUsdPerImage = 0.039m,
        });
        var stability = Bind(configuration, "Stability", new RelayProviderOptions
        {
            BaseUrl = "https://api.stability.ai",
            Model = "sd3.5-large",
            CatalogModel = "stability-sd3",
            PriceUsdPerImage = 0.065m,
        });
        var replicate = Bind(configuration, "Replicate", new RelayProviderOptions
        {
            BaseUrl = "https://api.replicate.com",
            Model = "black-forest-labs/flux-1.1-pro",
            CatalogModel = "replicate-flux-pro",
            PriceUsdPerImage = 0.04m,
        });
        if (replicate.DownloadHosts.Count == 0)
        {
            replicate.DownloadHosts.AddRange(["replicate.delivery", "*.replicate.delivery"]);
        }

        if (gemini.IsConfigured)
        {
            services.AddSingleton<IImageEngine>(sp => Engine(sp, gemini, new GeminiProvider(ApiClient(), gemini)));
        }

        if (stability.IsConfigured)
        {
            services.AddSingleton<IImageEngine>(sp => Engine(sp, stability, new StabilityProvider(ApiClient(), stability)));
        }

        if (replicate.IsConfigured)
        {
            services.AddSingleton<IImageEngine>(sp =>
            {
                var guard = new DownloadGuard(replicate);
                var downloads = new HttpClient(guard.CreateHandler()) { Timeout = Timeout.InfiniteTimeSpan };
                var time = sp.GetRequiredService<TimeProvider>();
                return Engine(sp, replicate, new ReplicateProvider(ApiClient(), downloads, guard, replicate, time));
            });
        }

        return services;
    }

    private static RelayProviderOptions Bind(IConfiguration configuration, string provider, RelayProviderOptions defaults)
    {
        configuration.GetSection($"Engines:Relay:{provider}").Bind(defaults);
        return defaults;
    }

    private static RelayEngine Engine(IServiceProvider services, RelayProviderOptions options, IRelayProvider provider)
    {
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger($"Pingvas.Engines.Relay.{provider.Name}");
        var resilience = new RelayResilience(provider.Name, options, time, logger);
        logger.LogInformation("Relay engine {Provider} serves {Model} via {ProviderModel} at {BaseUrl}", provider.Name, options.CatalogModel, options.Model, options.BaseUrl);
        return new RelayEngine(provider, options, resilience, time);
    }

    /// <summary>Timeouts are per attempt in <see cref="RelayResilience"/>, so the client itself never times out.</summary>
    private static HttpClient ApiClient() =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
}
