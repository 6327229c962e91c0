using System.Text.Json.Nodes;

namespace Pingvas.Engines.InvokeAi;

/// <summary>
/// Upscaling with a spandrel image-to-image model. The autoscale node runs the model as often as
/// needed and resizes to exactly the requested factor, so an ×4 model also serves ×2.
/// </summary>
internal static class UpscaleGraph
{
    public static InvokeAiBuiltGraph Build(InvokeAiGraphRequest request)
    {
        var upscaler = request.Upscaler ?? throw new ArgumentException("An upscale graph needs a spandrel model.", nameof(request));
        var image = request.InitImageName ?? throw new ArgumentException("An upscale graph needs an uploaded image.", nameof(request));
        var graph = new InvokeAiGraph();
        var node = graph.Add(InvokeAiGraphBuilder.OutputNodeId, "spandrel_image_to_image_autoscale", new JsonObject
        {
            ["image"] = InvokeAiGraph.Image(image),
            ["image_to_image_model"] = upscaler.ToIdentifier(),
            ["tile_size"] = 512,
            ["scale"] = (double)request.UpscaleScale,
            ["fit_to_multiple_of_8"] = false,
        });
        InvokeAiGraph.MarkOutput(node);
        return new InvokeAiBuiltGraph(graph, InvokeAiGraphBuilder.OutputNodeId);
    }
}
