using Pingvas.Engines;
using Pingvas.Engines.InvokeAi;
using Pingvas.Engines.Procedural;
using Pingvas.Engines.Relay;

namespace Pingvas.Server.Catalog;

public static class CatalogSetup
{
    /// <summary>Plans and models (cached), and the engines this process's workers run them on (Queue/WorkerPool).</summary>
    public static IServiceCollection AddCatalog(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<CatalogCache>();
        // Registered first, so a model a node serves runs on the node, not the procedural renderer.
        services.AddInvokeAiEngines(configuration);
        if (configuration.GetValue("Engines:Procedural:Enabled", true))
        {
            var procedural = configuration.GetSection("Engines:Procedural").Get<ProceduralEngineOptions>() ?? new ProceduralEngineOptions();
            services.AddSingleton(procedural);
            services.AddSingleton<IImageEngine, ProceduralEngine>();
        }

        services.AddRelayEngines(configuration);
        return services;
    }
}
