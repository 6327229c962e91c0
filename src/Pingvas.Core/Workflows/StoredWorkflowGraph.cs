using System.Text.Json.Nodes;

namespace Pingvas.Core.Workflows;

/// <summary>
/// A workflow job's <c>jobs.graph</c>: the queue-API graph <c>{nodes, edges}</c> plus
/// <c>outputs</c> (the output node ids, in order). Model fields carry <c>pingvas:main:…</c>,
/// <c>pingvas:aux</c> or <c>pingvas:lora:&lt;id&gt;</c> keys and image fields
/// <c>pingvas:image:&lt;id&gt;</c> names (Pingvas.Engines' WorkflowRefs).
/// </summary>
public sealed record StoredWorkflowGraph(JsonObject Graph, IReadOnlyList<string> OutputNodeIds, IReadOnlyList<Guid> ImageIds, IReadOnlyList<Guid> LoraIds)
{
    public const string LoraPrefix = "pingvas:lora:";

    /// <summary>
    /// Parses a stored graph: <see cref="Graph"/> is <c>{nodes, edges}</c> without <c>outputs</c>, ready
    /// to go to InvokeAI once its references are resolved.
    /// </summary>
    public static StoredWorkflowGraph Parse(string json)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        var outputs = root["outputs"]?.AsArray().Select(o => o!.GetValue<string>()).ToList() ?? [];
        var graph = new JsonObject { ["nodes"] = root["nodes"]?.DeepClone(), ["edges"] = root["edges"]?.DeepClone() };
        var images = new List<Guid>();
        var loras = new List<Guid>();
        Walk(graph["nodes"], images, loras);
        return new StoredWorkflowGraph(graph, outputs, images, loras);
    }

    private static void Walk(JsonNode? node, List<Guid> images, List<Guid> loras)
    {
        switch (node)
        {
            case JsonObject o:
                if (WorkflowInputs.ImageId(WorkflowChecks.Text(o["image_name"])) is { } image && !images.Contains(image))
                {
                    images.Add(image);
                }

                if (WorkflowChecks.Text(o["key"]) is { } key && key.StartsWith(LoraPrefix, StringComparison.Ordinal)
                    && Guid.TryParse(key[LoraPrefix.Length..], out var lora) && !loras.Contains(lora))
                {
                    loras.Add(lora);
                }

                foreach (var (_, child) in o)
                {
                    Walk(child, images, loras);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Walk(child, images, loras);
                }

                break;
        }
    }
}
