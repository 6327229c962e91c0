using Pingvas.Engines;
using Pingvas.Engines.Procedural;

namespace Pingvas.Server.Catalog;

public static class CatalogSetup
{
    /// <summary>Plans and models (cached), and the engines this process's workers run them on (Queue/WorkerPool).</summary>
    public static IServiceCollection AddCatalog(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<CatalogCache>();
        var procedural = configuration.GetSection("Engines:Procedural").Get<ProceduralEngineOptions>() ?? new ProceduralEngineOptions();
        services.AddSingleton(procedural);
        services.AddSingleton<IImageEngine, ProceduralEngine>();
        return services;
    }
}
