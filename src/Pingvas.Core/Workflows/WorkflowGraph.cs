using System.Text.Json.Nodes;

namespace Pingvas.Core.Workflows;

/// <summary>An invocation node: its type and the values of its fields (fields fed by an edge are absent, as InvokeAI builds graphs).</summary>
public sealed class WorkflowNode(string id, string type, JsonObject fields, bool isIntermediate, bool useCache)
{
    public string Id { get; } = id;

    public string Type { get; } = type;

    public JsonObject Fields { get; } = fields;

    public bool IsIntermediate { get; } = isIntermediate;

    public bool UseCache { get; } = useCache;
}

/// <summary>An edge from one node's output field to another node's input field.</summary>
public sealed record WorkflowEdge(string Source, string SourceField, string Target, string TargetField);

/// <summary>A field of the editor workflow the user may set on each run (<c>exposedFields</c>).</summary>
public sealed record ExposedFieldRef(string NodeId, string Field, string Label);

/// <summary>
/// A workflow read from either format: nodes in document order, edges, exposed fields. Mutable on
/// purpose: inputs, model and image references are written into <see cref="WorkflowNode.Fields"/>.
/// </summary>
public sealed class WorkflowGraph
{
    public required string Format { get; init; }

    public required IReadOnlyList<WorkflowNode> Nodes { get; init; }

    public required IReadOnlyList<WorkflowEdge> Edges { get; init; }

    public required IReadOnlyList<ExposedFieldRef> Exposed { get; init; }

    public WorkflowNode? Node(string id) => Nodes.FirstOrDefault(n => n.Id == id);

    /// <summary>The edge feeding <paramref name="field"/> of <paramref name="nodeId"/>, if one does.</summary>
    public WorkflowEdge? EdgeInto(string nodeId, string field) => Edges.FirstOrDefault(e => e.Target == nodeId && e.TargetField == field);

    public IEnumerable<WorkflowEdge> EdgesFrom(string nodeId) => Edges.Where(e => e.Source == nodeId);

    /// <summary>The node feeding <paramref name="field"/> of <paramref name="nodeId"/>, if an edge does.</summary>
    public WorkflowNode? Source(string nodeId, string field) => EdgeInto(nodeId, field) is { } e ? Node(e.Source) : null;

    /// <summary>
    /// A field's value: its literal, or, when a primitive node (integer, float, string, boolean)
    /// feeds it, that node's <c>value</c>. Null when unset or fed by anything else.
    /// </summary>
    public JsonNode? ValueOf(string nodeId, string field)
    {
        if (Source(nodeId, field) is { } source)
        {
            return source.Type is "integer" or "float" or "string" or "boolean" ? source.Fields["value"] : null;
        }

        return Node(nodeId)?.Fields[field];
    }

    /// <summary>
    /// The queue-API graph (<c>{nodes, edges}</c>) with an <c>outputs</c> list: the shape a workflow
    /// job stores in <c>jobs.graph</c> (see <see cref="StoredWorkflowGraph"/>).
    /// </summary>
    public JsonObject ToStoredGraph(IReadOnlyList<string> outputs)
    {
        var nodes = new JsonObject();
        foreach (var node in Nodes)
        {
            var o = new JsonObject { ["id"] = node.Id, ["type"] = node.Type };
            foreach (var (name, value) in node.Fields)
            {
                o[name] = value?.DeepClone();
            }

            o["is_intermediate"] = node.IsIntermediate;
            o["use_cache"] = node.UseCache;
            nodes[node.Id] = o;
        }

        var edges = new JsonArray();
        foreach (var e in Edges)
        {
            edges.Add(new JsonObject
            {
                ["source"] = new JsonObject { ["node_id"] = e.Source, ["field"] = e.SourceField },
                ["destination"] = new JsonObject { ["node_id"] = e.Target, ["field"] = e.TargetField },
            });
        }

        return new JsonObject { ["nodes"] = nodes, ["edges"] = edges, ["outputs"] = new JsonArray([.. outputs.Select(o => (JsonNode?)o)]) };
    }
}
