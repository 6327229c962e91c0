using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pingvas.Core.Workflows;

/// <summary>
/// Reads InvokeAI's two workflow shapes into a <see cref="WorkflowGraph"/>: the editor export
/// (<c>nodes[]</c> of <c>type:"invocation"</c>, <c>edges[]</c> with handles, <c>exposedFields</c>) and the
/// queue API's graph (<c>{nodes:{id:{…}}, edges:[{source:{node_id,field}, destination:{…}}]}</c>, or
/// wrapped in <c>{graph:{…}}</c>). The editor conversion follows InvokeAI's buildNodesGraph: notes
/// nodes and collapsed edges are dropped, and a field fed by an edge loses its literal value.
/// </summary>
public static class WorkflowReader
{
    public const string EditorFormat = "workflow";
    public const string GraphFormat = "graph";

    /// <summary>The largest document taken (UTF-8 bytes).</summary>
    public const int MaxDocumentBytes = 1024 * 1024;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    public static (WorkflowGraph? Graph, WorkflowError? Error) Read(string json, string format)
    {
        if (Encoding.UTF8.GetByteCount(json) > MaxDocumentBytes)
        {
            return (null, new WorkflowError(WorkflowErrorKind.TooLarge, $"The document is larger than {MaxDocumentBytes / 1024} KiB."));
        }

        try
        {
            var root = JsonNode.Parse(json, documentOptions: Options) as JsonObject
                ?? throw new WorkflowReadException("The document is not a JSON object.");
            var graph = format == EditorFormat ? ReadEditor(root) : ReadGraph(root["graph"] as JsonObject ?? root);
            CheckEdges(graph);
            return (graph, null);
        }
        catch (JsonException e)
        {
            return (null, new WorkflowError(WorkflowErrorKind.Invalid, $"The document is not valid JSON: {e.Message}"));
        }
        catch (WorkflowReadException e)
        {
            return (null, new WorkflowError(WorkflowErrorKind.Invalid, e.Message));
        }
        catch (InvalidOperationException e)
        {
            // JsonNode accessors throw this on a value of the wrong JSON kind.
            return (null, new WorkflowError(WorkflowErrorKind.Invalid, $"Unexpected JSON shape: {e.Message}"));
        }
    }

    private static WorkflowGraph ReadEditor(JsonObject root)
    {
        var nodesArray = root["nodes"] as JsonArray ?? throw new WorkflowReadException("A workflow needs a 'nodes' array.");
        var edgesArray = root["edges"] as JsonArray ?? throw new WorkflowReadException("A workflow needs an 'edges' array.");
        var nodes = new List<WorkflowNode>();
        var labels = new Dictionary<(string, string), string>();
        foreach (var item in nodesArray)
        {
            if (item is not JsonObject n || Text(n, "type") != "invocation")
            {
                continue;
            }

            var data = n["data"] as JsonObject ?? throw new WorkflowReadException("An invocation node needs 'data'.");
            var id = Required(data, "id");
            var fields = new JsonObject();
            if (data["inputs"] is JsonObject inputs)
            {
                foreach (var (name, input) in inputs)
                {
                    if (input is JsonObject field && field.ContainsKey("value"))
                    {
                        fields[name] = field["value"]?.DeepClone();
                    }

                    if (input is JsonObject { } f && Text(f, "label") is { Length: > 0 } label)
                    {
                        labels[(id, name)] = label;
                    }
                }
            }

            nodes.Add(new WorkflowNode(id, Required(data, "type"), fields,
                data["isIntermediate"]?.GetValue<bool>() ?? true, data["useCache"]?.GetValue<bool>() ?? true));
        }

        var edges = new List<WorkflowEdge>();
        foreach (var item in edgesArray)
        {
            if (item is not JsonObject e || Text(e, "type") == "collapsed")
            {
                continue;
            }

            edges.Add(new WorkflowEdge(Required(e, "source"), Required(e, "sourceHandle"), Required(e, "target"), Required(e, "targetHandle")));
        }

        var exposed = new List<ExposedFieldRef>();
        if (root["exposedFields"] is JsonArray exposedArray)
        {
            foreach (var item in exposedArray.OfType<JsonObject>())
            {
                var nodeId = Required(item, "nodeId");
                var field = Required(item, "fieldName");
                exposed.Add(new ExposedFieldRef(nodeId, field, labels.GetValueOrDefault((nodeId, field), field)));
            }
        }

        return Build(EditorFormat, nodes, edges, exposed);
    }

    private static WorkflowGraph ReadGraph(JsonObject root)
    {
        var nodesObject = root["nodes"] as JsonObject ?? throw new WorkflowReadException("A graph needs a 'nodes' object.");
        var edgesArray = root["edges"] as JsonArray ?? [];
        var nodes = new List<WorkflowNode>();
        foreach (var (key, value) in nodesObject)
        {
            var n = value as JsonObject ?? throw new WorkflowReadException($"Node '{key}' is not an object.");
            var id = Text(n, "id") ?? key;
            if (id != key)
            {
                throw new WorkflowReadException($"Node '{key}' has id '{id}'.");
            }

            var fields = new JsonObject();
            foreach (var (name, field) in n)
            {
                if (name is not ("id" or "type" or "is_intermediate" or "use_cache"))
                {
                    fields[name] = field?.DeepClone();
                }
            }

            nodes.Add(new WorkflowNode(id, Required(n, "type"), fields,
                n["is_intermediate"]?.GetValue<bool>() ?? false, n["use_cache"]?.GetValue<bool>() ?? true));
        }

        var edges = new List<WorkflowEdge>();
        foreach (var item in edgesArray)
        {
            var e = item as JsonObject ?? throw new WorkflowReadException("An edge is not an object.");
            var source = e["source"] as JsonObject ?? throw new WorkflowReadException("An edge needs 'source'.");
            var destination = e["destination"] as JsonObject ?? throw new WorkflowReadException("An edge needs 'destination'.");
            edges.Add(new WorkflowEdge(Required(source, "node_id"), Required(source, "field"), Required(destination, "node_id"), Required(destination, "field")));
        }

        return Build(GraphFormat, nodes, edges, []);
    }

    private static WorkflowGraph Build(string format, List<WorkflowNode> nodes, List<WorkflowEdge> edges, List<ExposedFieldRef> exposed)
    {
        var duplicate = nodes.GroupBy(n => n.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new WorkflowReadException($"Two nodes have the id '{duplicate.Key}'.");
        }

        // As InvokeAI does: a connected input takes the edge's value, not the literal.
        var byId = nodes.ToDictionary(n => n.Id);
        foreach (var e in edges)
        {
            if (byId.TryGetValue(e.Target, out var target))
            {
                target.Fields.Remove(e.TargetField);
            }
        }

        return new WorkflowGraph { Format = format, Nodes = nodes, Edges = edges, Exposed = exposed };
    }

    private static void CheckEdges(WorkflowGraph graph)
    {
        var ids = graph.Nodes.Select(n => n.Id).ToHashSet();
        foreach (var e in graph.Edges)
        {
            if (!ids.Contains(e.Source) || !ids.Contains(e.Target))
            {
                throw new WorkflowReadException($"The edge {e.Source}.{e.SourceField} → {e.Target}.{e.TargetField} has an end that is no node.");
            }
        }

        foreach (var x in graph.Exposed)
        {
            if (!ids.Contains(x.NodeId))
            {
                throw new WorkflowReadException($"The exposed field {x.NodeId}.{x.Field} names no node.");
            }
        }
    }

    private static string? Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static string Required(JsonObject o, string name) =>
        Text(o, name) is { Length: > 0 } s ? s : throw new WorkflowReadException($"'{name}' is missing or not a string.");
}
