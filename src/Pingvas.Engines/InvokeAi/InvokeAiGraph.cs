using System.Text.Json.Nodes;

namespace Pingvas.Engines.InvokeAi;

/// <summary>
/// A graph in the shape <c>enqueue_batch</c> takes: nodes by id, and edges from one node's output
/// field to another's input field. Nodes are intermediate unless marked as the output.
/// </summary>
public sealed class InvokeAiGraph
{
    private readonly JsonObject _nodes = [];
    private readonly JsonArray _edges = [];

    public bool HasNode(string id) => _nodes.ContainsKey(id);

    public JsonObject Node(string id) => _nodes[id]!.AsObject();

    /// <summary>Adds a node; <paramref name="fields"/> are its direct inputs (everything else comes over edges).</summary>
    public JsonObject Add(string id, string type, JsonObject? fields = null)
    {
        var node = new JsonObject { ["id"] = id, ["type"] = type, ["is_intermediate"] = true };
        foreach (var (name, value) in fields ?? [])
        {
            node[name] = value?.DeepClone();
        }
        _nodes[id] = node;
        return node;
    }

    public void Edge(string sourceNode, string sourceField, string destinationNode, string destinationField) =>
        _edges.Add(new JsonObject
        {
            ["source"] = new JsonObject { ["node_id"] = sourceNode, ["field"] = sourceField },
            ["destination"] = new JsonObject { ["node_id"] = destinationNode, ["field"] = destinationField },
        });

    /// <summary>Removes every edge into <paramref name="node"/>'s <paramref name="field"/> (to reroute it, as the UI's deleteEdgesTo).</summary>
    public void RemoveEdgesTo(string node, string field)
    {
        for (var i = _edges.Count - 1; i >= 0; i--)
        {
            var destination = _edges[i]!["destination"]!;
            if (destination["node_id"]!.GetValue<string>() == node && destination["field"]!.GetValue<string>() == field)
            {
                _edges.RemoveAt(i);
            }
        }
    }

    /// <summary>Denoise and output nodes always run: a cached result would be the same image for a paid job.</summary>
    public static void NoCache(JsonObject node) => node["use_cache"] = false;

    /// <summary>The node whose image we fetch: not cached, and kept (not an intermediate) until we delete it.</summary>
    public static void MarkOutput(JsonObject node)
    {
        node["use_cache"] = false;
        node["is_intermediate"] = false;
    }

    public JsonObject ToJson(string id) => new()
    {
        ["id"] = id,
        ["nodes"] = _nodes.DeepClone(),
        ["edges"] = _edges.DeepClone(),
    };

    public static JsonObject Image(string imageName) => new() { ["image_name"] = imageName };
}
