using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pingvas.Core.Workflows;

/// <summary>A settable field of a node type, typed from InvokeAI's node schema.</summary>
/// <param name="Type"><c>string</c>, <c>integer</c>, <c>float</c>, <c>boolean</c>, <c>enum</c>, <c>image</c> or <c>model</c>.</param>
public sealed record NodeFieldSpec(string Type, IReadOnlyList<string>? Options = null, double? Min = null, double? Max = null);

/// <summary>An allowed node type: its category and whether its output is an image.</summary>
public sealed record NodeSpec(string Category, bool ImageOutput, IReadOnlyDictionary<string, NodeFieldSpec> Fields);

/// <summary>A model a graph may name besides its main model and the owner's LoRAs (an InvokeAI starter model).</summary>
public sealed record AuxiliaryModel(string Type, string Base, string Name);

/// <summary>
/// The node allow-list (<c>workflow-nodes.json</c>, embedded; <c>Workflows:AllowListPath</c> replaces
/// it): the node types a workflow may use and the auxiliary models it may name. Data, not code, so
/// an operator can widen or narrow it without a release.
/// </summary>
public sealed class WorkflowNodeCatalog
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly Lazy<WorkflowNodeCatalog> Embedded = new(LoadEmbedded);

    public required IReadOnlyDictionary<string, NodeSpec> Nodes { get; init; }

    public required IReadOnlyList<AuxiliaryModel> AuxiliaryModels { get; init; }

    /// <summary>The list shipped with the release.</summary>
    public static WorkflowNodeCatalog Default => Embedded.Value;

    public static WorkflowNodeCatalog Parse(string json)
    {
        var file = JsonSerializer.Deserialize<CatalogFile>(json, Json) ?? throw new InvalidDataException("The workflow node allow-list is empty.");
        return new WorkflowNodeCatalog
        {
            Nodes = new Dictionary<string, NodeSpec>(file.Nodes ?? [], StringComparer.Ordinal),
            AuxiliaryModels = file.AuxiliaryModels ?? [],
        };
    }

    public NodeFieldSpec? Field(string nodeType, string field) =>
        Nodes.TryGetValue(nodeType, out var spec) && spec.Fields.TryGetValue(field, out var f) ? f : null;

    public bool IsAuxiliary(string type, string @base, string name) =>
        AuxiliaryModels.Any(m => m.Type == type && m.Name == name && (m.Base == @base || m.Base == "any"));

    private static WorkflowNodeCatalog LoadEmbedded()
    {
        using var stream = typeof(WorkflowNodeCatalog).Assembly.GetManifestResourceStream("Pingvas.Core.Workflows.workflow-nodes.json")
            ?? throw new InvalidOperationException("workflow-nodes.json is not embedded in Pingvas.Core.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    private sealed record CatalogFile(
        [property: JsonPropertyName("nodes")] Dictionary<string, NodeSpec>? Nodes,
        [property: JsonPropertyName("auxiliaryModels")] List<AuxiliaryModel>? AuxiliaryModels);
}
