using Microsoft.Extensions.Options;

using Pingvas.Core.Workflows;
using Pingvas.Engines.InvokeAi;

namespace Pingvas.Server.Workflows;

/// <summary><c>Workflows</c>: the node allow-list file (replacing the embedded one) and the size limits.</summary>
public sealed class WorkflowsOptions
{
    /// <summary>A JSON file in the shape of Pingvas.Core's <c>workflow-nodes.json</c>; empty: the embedded list.</summary>
    public string? AllowListPath { get; set; }

    public WorkflowLimits Limits { get; set; } = new();
}

/// <summary>
/// What workflow checks read from configuration, loaded once: the allow-list, the limits, and which
/// InvokeAI main model (name + base) each catalog model is (<c>Engines:InvokeAi:Models</c> over the defaults),
/// so a graph's model field finds its catalog model the way the InvokeAI engine maps it.
/// </summary>
public sealed class WorkflowEnvironment(IOptions<WorkflowsOptions> options, IConfiguration configuration)
{
    private readonly Lazy<WorkflowNodeCatalog> catalog = new(() =>
        string.IsNullOrWhiteSpace(options.Value.AllowListPath)
            ? WorkflowNodeCatalog.Default
            : WorkflowNodeCatalog.Parse(File.ReadAllText(options.Value.AllowListPath)));

    private readonly Lazy<IReadOnlyDictionary<string, InvokeAiModelOptions>> mainModels = new(() =>
        (configuration.GetSection("Engines:InvokeAi").Get<InvokeAiOptions>() ?? new InvokeAiOptions()).EffectiveModels());

    public WorkflowNodeCatalog Catalog => catalog.Value;

    public WorkflowLimits Limits => options.Value.Limits;

    /// <summary>The catalog model ids whose InvokeAI main model is <paramref name="name"/> on <paramref name="base"/>.</summary>
    public IEnumerable<string> CatalogIdsFor(string name, string @base) =>
        mainModels.Value.Where(m => m.Value.Name == name && m.Value.Base == @base).Select(m => m.Key);

    /// <summary>A graph model base as a catalog family (<c>sd-1</c> → <c>sd1</c>); null for bases we do not run.</summary>
    public static string? FamilyOf(string @base) => @base switch
    {
        "sd-1" => "sd1",
        "sdxl" => "sdxl",
        "flux" => "flux",
        _ => null,
    };
}
