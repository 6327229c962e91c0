using System.Text.Json;
using System.Text.Json.Nodes;

using Pingvas.Core.Generation;

namespace Pingvas.Core.Workflows;

/// <summary>A denoise node as cost and limits see it: steps after its start/end share, and its size when the graph says it.</summary>
public sealed record DenoisePass(string NodeId, string Type, int Steps, long? Width, long? Height);

/// <summary>A model field (<c>ModelIdentifierField</c>) of a node, by name + base + type.</summary>
public sealed record ModelUse(string NodeId, string Field, string Name, string Base, string Type);

/// <summary>A workflow that passed every check that needs no database: what the server resolves, prices and stores.</summary>
public sealed record CheckedWorkflow(
    WorkflowGraph Graph,
    IReadOnlyList<string> Outputs,
    IReadOnlyList<DenoisePass> Denoises,
    IReadOnlyList<ModelUse> Models,
    IReadOnlyList<Guid> Images)
{
    public int TotalSteps => Denoises.Sum(d => d.Steps);
}

/// <summary>
/// The checks of a workflow, in the documented order: allow-list → node and edge counts → edges
/// form no cycle → inputs → image fields → denoise steps → image outputs → sizes.
/// </summary>
public static class WorkflowChecks
{
    /// <summary>What saving checks: allowed nodes, counts, no cycle, at least one image output, steps within the limit.</summary>
    public static WorkflowError? CheckShape(WorkflowGraph graph, WorkflowNodeCatalog catalog, WorkflowLimits limits)
    {
        if (graph.Nodes.FirstOrDefault(n => !catalog.Nodes.ContainsKey(n.Type)) is { } forbidden)
        {
            return new WorkflowError(WorkflowErrorKind.NodeForbidden,
                $"Node '{forbidden.Id}' is a '{forbidden.Type}', which workflows may not use here.", forbidden.Type, forbidden.Id);
        }

        if (graph.Nodes.Count > limits.MaxNodes)
        {
            return TooLarge($"The workflow has {graph.Nodes.Count} nodes; at most {limits.MaxNodes} are allowed.");
        }

        if (graph.Edges.Count > limits.MaxEdges)
        {
            return TooLarge($"The workflow has {graph.Edges.Count} edges; at most {limits.MaxEdges} are allowed.");
        }

        if (Order(graph) is null)
        {
            return new WorkflowError(WorkflowErrorKind.Invalid, "The workflow's edges form a cycle.");
        }

        if (Outputs(graph, catalog).Count == 0)
        {
            return new WorkflowError(WorkflowErrorKind.Invalid, "The workflow has no image output (a non-intermediate node that makes an image).");
        }

        var (denoises, error) = Denoises(graph);
        return error ?? (denoises.Sum(d => d.Steps) > limits.MaxTotalSteps
            ? TooLarge($"The workflow denoises {denoises.Sum(d => d.Steps)} steps in all; at most {limits.MaxTotalSteps} are allowed.")
            : null);
    }

    /// <summary>Everything a run checks before the database is asked: the shape, the inputs applied, images, steps, outputs and sizes against the plan.</summary>
    public static (CheckedWorkflow? Workflow, WorkflowError? Error) Check(
        WorkflowGraph graph, WorkflowNodeCatalog catalog, WorkflowLimits limits, IReadOnlyDictionary<string, JsonElement>? inputs, int maxSide, int maxBatch)
    {
        if (CheckShape(graph, catalog, limits) is { } shape)
        {
            return (null, shape);
        }

        var (images, inputError) = WorkflowInputs.Apply(graph, catalog, inputs ?? new Dictionary<string, JsonElement>());
        if (inputError is not null)
        {
            return (null, inputError);
        }

        var (denoises, stepsError) = Denoises(graph);
        if (stepsError is not null)
        {
            return (null, stepsError);
        }

        var total = denoises.Sum(d => d.Steps);
        if (total > limits.MaxTotalSteps)
        {
            return (null, TooLarge($"The workflow denoises {total} steps in all; at most {limits.MaxTotalSteps} are allowed."));
        }

        var outputs = Outputs(graph, catalog);
        if (outputs.Count > maxBatch)
        {
            return (null, TooLarge($"The workflow makes {outputs.Count} images; your plan allows at most {maxBatch} per generation."));
        }

        foreach (var node in graph.Nodes)
        {
            foreach (var side in new[] { "width", "height" })
            {
                if (Integer(graph.ValueOf(node.Id, side)) is { } value && value > maxSide)
                {
                    return (null, TooLarge($"Node '{node.Id}' asks for a {side} of {value} px; your plan allows at most {maxSide}."));
                }
            }
        }

        return (new CheckedWorkflow(graph, outputs, denoises, Models(graph, catalog), images), null);
    }

    /// <summary>Node ids in an order where every edge points forward (document order among equals); null when the edges form a cycle.</summary>
    public static IReadOnlyList<string>? Order(WorkflowGraph graph)
    {
        var incoming = graph.Nodes.ToDictionary(n => n.Id, _ => 0);
        foreach (var e in graph.Edges)
        {
            incoming[e.Target]++;
        }

        var order = new List<string>(graph.Nodes.Count);
        var ready = new List<string>(graph.Nodes.Where(n => incoming[n.Id] == 0).Select(n => n.Id));
        var index = graph.Nodes.Select((n, i) => (n.Id, i)).ToDictionary(x => x.Id, x => x.i);
        while (ready.Count > 0)
        {
            var next = ready.MinBy(id => index[id])!;
            ready.Remove(next);
            order.Add(next);
            foreach (var e in graph.EdgesFrom(next))
            {
                if (--incoming[e.Target] == 0)
                {
                    ready.Add(e.Target);
                }
            }
        }

        return order.Count == graph.Nodes.Count ? order : null;
    }

    /// <summary>The job's outputs: non-intermediate nodes whose output is an image, in graph order.</summary>
    public static IReadOnlyList<string> Outputs(WorkflowGraph graph, WorkflowNodeCatalog catalog) =>
        [.. (Order(graph) ?? []).Where(id => graph.Node(id) is { IsIntermediate: false } n && catalog.Nodes.TryGetValue(n.Type, out var spec) && spec.ImageOutput)];

    /// <summary>Every model field holding a model identifier (name, base, type).</summary>
    public static IReadOnlyList<ModelUse> Models(WorkflowGraph graph, WorkflowNodeCatalog catalog)
    {
        var uses = new List<ModelUse>();
        foreach (var node in graph.Nodes)
        {
            foreach (var (name, value) in node.Fields)
            {
                if (catalog.Field(node.Type, name)?.Type == "model" && value is JsonObject model)
                {
                    uses.Add(new ModelUse(node.Id, name, Text(model["name"]) ?? "", Text(model["base"]) ?? "", Text(model["type"]) ?? ""));
                }
            }
        }

        return uses;
    }

    /// <summary>The denoise nodes with their steps after start/end; steps a graph computes (not a value) are refused, as they could not be priced.</summary>
    public static (IReadOnlyList<DenoisePass> Passes, WorkflowError? Error) Denoises(WorkflowGraph graph)
    {
        var passes = new List<DenoisePass>();
        foreach (var node in graph.Nodes.Where(n => n.Type is "denoise_latents" or "flux_denoise"))
        {
            var flux = node.Type == "flux_denoise";
            var stepsField = flux ? "num_steps" : "steps";
            if (Integer(graph.ValueOf(node.Id, stepsField)) is not { } steps || steps < 0)
            {
                return ([], new WorkflowError(WorkflowErrorKind.Invalid,
                    $"Denoise node '{node.Id}' needs a literal '{stepsField}' (steps a graph computes cannot be priced)."));
            }

            var start = Number(graph.ValueOf(node.Id, "denoising_start")) ?? 0;
            var end = Number(graph.ValueOf(node.Id, "denoising_end")) ?? 1;
            var share = Math.Clamp(end - start, 0, 1);
            var effective = steps == 0 ? 0 : KindCosts.StepsAfterStrength((int)Math.Min(steps, 100_000), share);
            long? width, height;
            if (flux)
            {
                (width, height) = (Integer(graph.ValueOf(node.Id, "width")), Integer(graph.ValueOf(node.Id, "height")));
            }
            else if (graph.Source(node.Id, "noise") is { Type: "noise" } noise)
            {
                (width, height) = (Integer(graph.ValueOf(noise.Id, "width")), Integer(graph.ValueOf(noise.Id, "height")));
            }
            else
            {
                (width, height) = ((long?)null, (long?)null);
            }

            passes.Add(new DenoisePass(node.Id, node.Type, effective, width, height));
        }

        return (passes, null);
    }

    public static long? Integer(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < 1e15 ? (long)d : null;

    public static double? Number(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) ? d : null;

    public static string? Text(JsonNode? value) => value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static WorkflowError TooLarge(string detail) => new(WorkflowErrorKind.TooLarge, detail);
}
