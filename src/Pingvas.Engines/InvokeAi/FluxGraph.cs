using System.Text.Json.Nodes;

namespace Pingvas.Engines.InvokeAi;

/// <summary>FLUX.1: flux_model_loader with T5, CLIP-L and VAE, flux_text_encoder, flux_denoise, flux_vae_decode (buildFLUXGraph.ts).</summary>
internal static class FluxGraph
{
    /// <summary>
    /// FLUX renders in multiples of 16 (our API allows multiples of 8): an odd size renders at the
    /// next multiple of 16 and is resized to the requested size as the last node.
    /// </summary>
    public static InvokeAiBuiltGraph Build(InvokeAiGraphRequest request, InvokeAiModelSet model)
    {
        var (width, height) = (RoundUp16(request.Width), RoundUp16(request.Height));
        if (width == request.Width && height == request.Height)
        {
            return Build(request, model, InvokeAiGraphBuilder.OutputNodeId);
        }
        var built = Build(request with { Width = width, Height = height }, model, "render");
        var graph = built.Graph;
        graph.Node(built.OutputNodeId)["is_intermediate"] = true;
        var resize = graph.Add(InvokeAiGraphBuilder.OutputNodeId, "img_resize", new JsonObject
        {
            ["width"] = request.Width,
            ["height"] = request.Height,
            ["resample_mode"] = "lanczos",
        });
        InvokeAiGraph.MarkOutput(resize);
        graph.Edge(built.OutputNodeId, "image", InvokeAiGraphBuilder.OutputNodeId, "image");
        return new InvokeAiBuiltGraph(graph, InvokeAiGraphBuilder.OutputNodeId);
    }

    private static int RoundUp16(int value) => (value + 15) / 16 * 16;

    private static InvokeAiBuiltGraph Build(InvokeAiGraphRequest request, InvokeAiModelSet model, string outputId)
    {
        var graph = new InvokeAiGraph();
        const string loader = "model_loader";
        graph.Add(loader, "flux_model_loader", new JsonObject
        {
            ["model"] = model.Main.ToIdentifier(),
            ["t5_encoder_model"] = model.T5Encoder!.ToIdentifier(),
            ["clip_embed_model"] = model.ClipEmbed!.ToIdentifier(),
            ["vae_model"] = model.Vae!.ToIdentifier(),
        });
        graph.Add("positive_prompt", "flux_text_encoder", new JsonObject { ["prompt"] = request.Prompt });
        graph.Edge(loader, "clip", "positive_prompt", "clip");
        graph.Edge(loader, "t5_encoder", "positive_prompt", "t5_encoder");
        graph.Edge(loader, "max_seq_len", "positive_prompt", "t5_max_seq_len");

        var denoise = graph.Add("denoise", "flux_denoise", new JsonObject
        {
            ["width"] = request.Width,
            ["height"] = request.Height,
            ["num_steps"] = request.Steps,
            ["guidance"] = request.CfgScale,
            ["seed"] = request.Seed,
            ["scheduler"] = Scheduler(request.Scheduler),
            ["denoising_start"] = request.DenoisingStart,
            ["denoising_end"] = 1.0,
        });
        InvokeAiGraph.NoCache(denoise);
        graph.Edge(loader, "transformer", "denoise", "transformer");
        graph.Edge("positive_prompt", "conditioning", "denoise", "positive_text_conditioning");

        if (request.Kind is EngineJobKind.ImageToImage or EngineJobKind.Inpaint)
        {
            var encode = graph.Add("encode", "flux_vae_encode");
            InvokeAiGraphBuilder.WireInit(graph, request, encode, "image");
            graph.Edge(loader, "vae", "encode", "vae");
            graph.Edge("encode", "latents", "denoise", "latents");
        }

        AddOnsGraph.AddFluxLoras(graph, request, loader, "denoise");
        AddOnsGraph.AddControls(graph, request, "denoise", flux: true, loader);
        AddOnsGraph.AddReference(graph, request, "denoise", flux: true);

        var inpaint = request.Kind == EngineJobKind.Inpaint;
        var decodeId = inpaint ? "decode" : outputId;
        var decode = graph.Add(decodeId, "flux_vae_decode");
        InvokeAiGraph.NoCache(decode);
        graph.Edge("denoise", "latents", decodeId, "latents");
        graph.Edge(loader, "vae", decodeId, "vae");
        if (!inpaint)
        {
            InvokeAiGraph.MarkOutput(decode);
            return new InvokeAiBuiltGraph(graph, decodeId);
        }
        // FLUX has no UNet: the gradient mask is built from the image and the VAE alone (addInpaint.ts).
        return new InvokeAiBuiltGraph(graph, InvokeAiGraphBuilder.AddInpaint(graph, request, loader, null, "denoise", decodeId, fp32: false, outputId));
    }

    /// <summary>FLUX knows euler, heun and lcm (invokeai/backend/flux/schedulers.py); everything else runs as euler.</summary>
    public static string Scheduler(string scheduler) => scheduler switch
    {
        "heun" or "heun_k" => "heun",
        "lcm" => "lcm",
        _ => "euler",
    };
}
