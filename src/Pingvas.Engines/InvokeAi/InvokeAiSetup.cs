using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pingvas.Engines.InvokeAi;

public static class InvokeAiSetup
{
    /// <summary>
    /// One <see cref="InvokeAiEngine"/> per <c>Engines:InvokeAi:Nodes:N</c> with a URL; the worker
    /// pool refreshes each (its models, its health) at start and every <c>Workers:RefreshSeconds</c>.
    /// Nothing is registered when no node is configured.
    /// </summary>
    public static IServiceCollection AddInvokeAiEngines(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Engines:InvokeAi").Get<InvokeAiOptions>() ?? new InvokeAiOptions();
        var nodes = options.Nodes.Where(n => !string.IsNullOrWhiteSpace(n.Url)).ToList();
        if (nodes.Count == 0)
        {
            return services;
        }

        services.AddSingleton(options);
        foreach (var node in nodes)
        {
            services.AddSingleton<IImageEngine>(sp => new InvokeAiEngine(
                node,
                options,
                sp.GetService<TimeProvider>() ?? TimeProvider.System,
                sp.GetRequiredService<ILogger<InvokeAiEngine>>()));
        }
        return services;
    }
}
