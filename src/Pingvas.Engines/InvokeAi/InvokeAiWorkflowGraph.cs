using System.Text.Json.Nodes;

namespace Pingvas.Engines.InvokeAi;

/// <summary>
/// Turns a checked workflow graph (<see cref="EngineWorkflow"/>) into one this node runs: its
/// <see cref="WorkflowRefs"/> model keys become the node's models, its image names the node's uploads,
/// and its denoise and output nodes never come from the node's cache.
/// </summary>
internal static class InvokeAiWorkflowGraph
{
    /// <summary>Node types that denoise (their results must not be cached, their steps are the job's progress).</summary>
    public static bool IsDenoise(string type) =>
        type is "denoise_latents" or "denoise_latents_meta" or "tiled_multi_diffusion_denoise_latents"
        || type.EndsWith("_denoise", StringComparison.Ordinal)
        || type.EndsWith("_denoise_meta", StringComparison.Ordinal);

    public static IEnumerable<(string Id, JsonObject Node)> Nodes(JsonObject graph) =>
        (graph["nodes"] as JsonObject ?? []).Select(p => (p.Key, p.Value as JsonObject)).Where(p => p.Item2 is not null)!;

    /// <summary>The LoRA ids the graph's model fields name.</summary>
    public static IReadOnlyList<Guid> LoraIds(JsonObject graph) =>
        Refs(graph, "key", WorkflowRefs.LoraPrefix).Select(Guid.Parse).Distinct().ToList();

    /// <summary>The image ids the graph's image fields name.</summary>
    public static IReadOnlyList<Guid> ImageIds(JsonObject graph) =>
        Refs(graph, "image_name", WorkflowRefs.ImagePrefix).Select(Guid.Parse).Distinct().ToList();

    /// <summary>
    /// The graph with every reference resolved on this node. A main or auxiliary model the node lacks
    /// is <c>node_missing_model</c> (retryable: another node may have it).
    /// </summary>
    public static JsonObject Resolve(
        EngineWorkflow workflow,
        InvokeAiNodeModels models,
        IReadOnlyDictionary<Guid, InvokeAiModel> loras,
        IReadOnlyDictionary<Guid, string> images,
        string instance)
    {
        var graph = workflow.Graph.DeepClone().AsObject();
        foreach (var (_, node) in Nodes(graph))
        {
            foreach (var (field, value) in node.ToList())
            {
                if (value is not null && field is not ("id" or "type") && Rewrite(value, models, loras, images, instance) is var rewritten && !ReferenceEquals(rewritten, value))
                {
                    node[field] = rewritten;
                }
            }
            if (node["type"]?.GetValue<string>() is { } type && IsDenoise(type))
            {
                InvokeAiGraph.NoCache(node);
            }
        }
        var nodes = graph["nodes"] as JsonObject ?? throw new ArgumentException("A workflow graph needs nodes.", nameof(workflow));
        foreach (var id in workflow.OutputNodeIds)
        {
            InvokeAiGraph.MarkOutput(nodes[id] as JsonObject ?? throw new ArgumentException($"Output node '{id}' is not in the graph.", nameof(workflow)));
        }
        return graph;
    }

    /// <summary>Fails fast (before any upload or install) when this node lacks a main or auxiliary model the graph names.</summary>
    public static void CheckModels(EngineWorkflow workflow, InvokeAiNodeModels models, string instance)
    {
        var fakeLoras = LoraIds(workflow.Graph).ToDictionary(id => id, id => new InvokeAiModel(id.ToString("N"), "", "", "", "lora"));
        var fakeImages = ImageIds(workflow.Graph).ToDictionary(id => id, id => id.ToString("N"));
        Resolve(workflow, models, fakeLoras, fakeImages, instance);
    }

    private static JsonNode Rewrite(JsonNode value, InvokeAiNodeModels models, IReadOnlyDictionary<Guid, InvokeAiModel> loras, IReadOnlyDictionary<Guid, string> images, string instance)
    {
        switch (value)
        {
            case JsonObject o when Text(o, "key") is { } key && key.StartsWith("pingvas:", StringComparison.Ordinal):
                return Model(o, key, models, loras, instance).ToIdentifier();
            case JsonObject o when Text(o, "image_name") is { } name && name.StartsWith(WorkflowRefs.ImagePrefix, StringComparison.Ordinal):
                var id = Guid.Parse(name[WorkflowRefs.ImagePrefix.Length..]);
                return InvokeAiGraph.Image(images.GetValueOrDefault(id) ?? throw new ArgumentException($"Workflow image {id} was not uploaded."));
            case JsonObject o:
                foreach (var (field, child) in o.ToList())
                {
                    if (child is not null && Rewrite(child, models, loras, images, instance) is var rewritten && !ReferenceEquals(rewritten, child))
                    {
                        o[field] = rewritten;
                    }
                }
                return o;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is { } child && Rewrite(child, models, loras, images, instance) is var rewritten && !ReferenceEquals(rewritten, child))
                    {
                        a[i] = rewritten;
                    }
                }
                return a;
            default:
                return value;
        }
    }

    private static InvokeAiModel Model(JsonObject field, string key, InvokeAiNodeModels models, IReadOnlyDictionary<Guid, InvokeAiModel> loras, string instance)
    {
        if (key.StartsWith(WorkflowRefs.MainPrefix, StringComparison.Ordinal))
        {
            var catalogId = key[WorkflowRefs.MainPrefix.Length..];
            return models.Models.GetValueOrDefault(catalogId)?.Main
                ?? throw new RetryableEngineException("node_missing_model", $"The node at {instance} does not have the model for '{catalogId}'.");
        }
        if (key.StartsWith(WorkflowRefs.LoraPrefix, StringComparison.Ordinal))
        {
            var id = Guid.Parse(key[WorkflowRefs.LoraPrefix.Length..]);
            return loras.GetValueOrDefault(id) ?? throw new ArgumentException($"Workflow LoRA {id} was not installed.");
        }
        if (key == WorkflowRefs.Aux)
        {
            var (name, baseType, type) = (Text(field, "name"), Text(field, "base"), Text(field, "type"));
            return (name is null || baseType is null || type is null ? null : models.FindInstalled(name, baseType, type))
                ?? throw new RetryableEngineException("node_missing_model", $"The node at {instance} does not have the {type} model '{name}' ({baseType}).");
        }
        throw new ArgumentException($"Unknown workflow model reference '{key}'.");
    }

    private static IEnumerable<string> Refs(JsonNode? node, string field, string prefix)
    {
        switch (node)
        {
            case JsonObject o:
                if (Text(o, field) is { } value && value.StartsWith(prefix, StringComparison.Ordinal))
                {
                    yield return value[prefix.Length..];
                }
                foreach (var (_, child) in o)
                {
                    foreach (var found in Refs(child, field, prefix))
                    {
                        yield return found;
                    }
                }
                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    foreach (var found in Refs(child, field, prefix))
                    {
                        yield return found;
                    }
                }
                break;
        }
    }

    private static string? Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>
/// A workflow's progress in steps across all its denoise nodes: each node's fraction times its steps
/// (its <c>steps</c> / <c>num_steps</c>), summed, never going back.
/// </summary>
internal sealed class WorkflowProgress(IReadOnlyDictionary<string, int> denoiseSteps, int fallbackSteps, double previewsPerSecond, TimeProvider time)
{
    private readonly Dictionary<string, double> _done = [];
    private readonly int _total = Math.Max(1, denoiseSteps.Values.Sum() is > 0 and var sum ? sum : fallbackSteps);
    private readonly TimeSpan _previewGap = TimeSpan.FromSeconds(1 / Math.Max(0.1, previewsPerSecond));
    private int _step;
    private long? _lastPreview;

    public static IReadOnlyDictionary<string, int> DenoiseSteps(JsonObject graph)
    {
        var steps = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (id, node) in InvokeAiWorkflowGraph.Nodes(graph))
        {
            if (node["type"]?.GetValue<string>() is { } type && InvokeAiWorkflowGraph.IsDenoise(type))
            {
                var value = node["steps"] ?? node["num_steps"];
                steps[id] = value is JsonValue v && v.TryGetValue<int>(out var n) && n > 0 ? n : 0;
            }
        }
        return steps;
    }

    public ValueTask ReportAsync(InvokeAiItemProgress progress, Func<EngineProgress, ValueTask> onProgress)
    {
        if (progress.Percentage is { } fraction && progress.SourceId is { } source && denoiseSteps.TryGetValue(source, out var steps))
        {
            _done[source] = Math.Max(_done.GetValueOrDefault(source), Math.Clamp(fraction, 0, 1));
            var reached = (int)Math.Round(_done.Sum(d => d.Value * Math.Max(0, denoiseSteps[d.Key])));
            _step = Math.Min(_total, Math.Max(_step, reached));
        }
        byte[]? preview = null;
        if (progress.PreviewDataUrl is { } url && (_lastPreview is not { } last || time.GetElapsedTime(last) >= _previewGap))
        {
            preview = InvokeAiImages.PreviewFromDataUrl(url);
            if (preview is not null)
            {
                _lastPreview = time.GetTimestamp();
            }
        }
        return onProgress(new EngineProgress(_step, _total, 0, 1, preview) { Message = progress.Message });
    }
}
