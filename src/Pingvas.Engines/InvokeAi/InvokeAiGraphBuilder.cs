using System.Text.Json.Nodes;

namespace Pingvas.Engines.InvokeAi;

/// <summary>
/// Builds the graph for one image, the way InvokeAI's own UI does
/// (frontend/web/src/features/nodes/util/graph/generation: buildSD1Graph, buildSDXLGraph,
/// buildFLUXGraph, addImageToImage, addInpaint; the Upscaling tab for spandrel models).
/// </summary>
public static class InvokeAiGraphBuilder
{
    public const string OutputNodeId = "pingvas_output";

    public static InvokeAiBuiltGraph Build(InvokeAiGraphRequest request)
    {
        if (request.Kind == EngineJobKind.Upscale)
        {
            return UpscaleGraph.Build(request);
        }
        var model = request.Model ?? throw new ArgumentException("A generation graph needs a main model.", nameof(request));
        if (request.Kind != EngineJobKind.TextToImage && request.InitImageName is null)
        {
            throw new ArgumentException("Image-to-image and inpaint need an uploaded init image.", nameof(request));
        }
        if (request.Kind == EngineJobKind.Inpaint && request.MaskImageName is null)
        {
            throw new ArgumentException("Inpaint needs an uploaded mask.", nameof(request));
        }
        return model.IsFlux ? FluxGraph.Build(request, model) : StableDiffusionGraph.Build(request, model);
    }

    /// <summary>
    /// Wires an uploaded image into <paramref name="node"/>'s <paramref name="field"/>: directly when
    /// it already has the output size, otherwise through an <c>img_resize</c> node (as the Canvas does).
    /// </summary>
    internal static void WireImage(InvokeAiGraph graph, InvokeAiGraphRequest request, string imageName, string resizeId, JsonObject node, string field)
    {
        if (request.InitWidth == request.Width && request.InitHeight == request.Height)
        {
            node[field] = InvokeAiGraph.Image(imageName);
            return;
        }
        if (!graph.HasNode(resizeId))
        {
            graph.Add(resizeId, "img_resize", new JsonObject
            {
                ["image"] = InvokeAiGraph.Image(imageName),
                ["width"] = request.Width,
                ["height"] = request.Height,
                ["resample_mode"] = "lanczos",
            });
        }
        graph.Edge(resizeId, "image", node["id"]!.GetValue<string>(), field);
    }

    internal static void WireInit(InvokeAiGraph graph, InvokeAiGraphRequest request, JsonObject node, string field) =>
        WireImage(graph, request, request.InitImageName!, "resize_init", node, field);

    /// <summary>
    /// The Canvas inpaint tail: a gradient mask limits denoising to the masked area, then the render
    /// is pasted onto the init image through the (faded) expanded mask, so unmasked pixels stay as they were.
    /// </summary>
    /// <returns>The id of the blend node, which is the output.</returns>
    internal static string AddInpaint(InvokeAiGraph graph, InvokeAiGraphRequest request, string vaeSource, string? unetSource, string denoiseId, string decodeId, bool fp32, string outputId = OutputNodeId)
    {
        var mask = graph.Add("create_gradient_mask", "create_gradient_mask", new JsonObject
        {
            ["coherence_mode"] = "Gaussian Blur",
            ["minimum_denoise"] = 0.0,
            ["edge_radius"] = 16,
            ["fp32"] = fp32,
        });
        WireInit(graph, request, mask, "image");
        WireImage(graph, request, request.MaskImageName!, "resize_mask", mask, "mask");
        graph.Edge(vaeSource, "vae", "create_gradient_mask", "vae");
        if (unetSource is not null)
        {
            graph.Edge(unetSource, "unet", "create_gradient_mask", "unet");
        }
        graph.Edge("create_gradient_mask", "denoise_mask", denoiseId, "denoise_mask");

        graph.Add("expand_mask_with_fade", "expand_mask_with_fade", new JsonObject { ["fade_size_px"] = 16 });
        graph.Edge("create_gradient_mask", "expanded_mask_area", "expand_mask_with_fade", "mask");

        var blend = graph.Add(outputId, "invokeai_img_blend");
        InvokeAiGraph.MarkOutput(blend);
        WireInit(graph, request, blend, "layer_base");
        graph.Edge(decodeId, "image", outputId, "layer_upper");
        graph.Edge("expand_mask_with_fade", "image", outputId, "mask");
        return outputId;
    }
}
