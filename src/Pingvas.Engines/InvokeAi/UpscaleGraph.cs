using System.Text.Json.Nodes;

namespace Pingvas.Engines.InvokeAi;

/// <summary>
/// Upscaling with a spandrel image-to-image model (the Upscaling feature): the model for the
/// requested factor (RealESRGAN x2 for 2, x4 for 4) enlarges the image by exactly that factor.
/// </summary>
internal static class UpscaleGraph
{
    public static InvokeAiBuiltGraph Build(InvokeAiGraphRequest request)
    {
        var upscaler = request.Upscaler ?? throw new ArgumentException("An upscale graph needs a spandrel model.", nameof(request));
        var image = request.InitImageName ?? throw new ArgumentException("An upscale graph needs an uploaded image.", nameof(request));
        var graph = new InvokeAiGraph();
        var node = graph.Add(InvokeAiGraphBuilder.OutputNodeId, "spandrel_image_to_image", new JsonObject
        {
            ["image"] = InvokeAiGraph.Image(image),
            ["image_to_image_model"] = upscaler.ToIdentifier(),
            ["tile_size"] = 512,
        });
        InvokeAiGraph.MarkOutput(node);
        return new InvokeAiBuiltGraph(graph, InvokeAiGraphBuilder.OutputNodeId);
    }
}
