using System.Text.Json.Nodes;

namespace Pingvas.Engines.InvokeAi;

/// <summary>SD 1.x and SDXL: model loader, prompts, noise, denoise_latents, l2i (buildSD1Graph.ts / buildSDXLGraph.ts).</summary>
internal static class StableDiffusionGraph
{
    public static InvokeAiBuiltGraph Build(InvokeAiGraphRequest request, InvokeAiModelSet model)
    {
        var graph = new InvokeAiGraph();
        const string loader = "model_loader";
        // fp32 VAE: the fp16 SDXL VAE can produce NaN (black) images; the UI's default precision is fp32 too.
        const bool fp32 = true;
        if (model.IsSdxl)
        {
            graph.Add(loader, "sdxl_model_loader", new JsonObject { ["model"] = model.Main.ToIdentifier() });
            AddSdxlPrompt(graph, "positive_prompt", request.Prompt, request);
            AddSdxlPrompt(graph, "negative_prompt", request.NegativePrompt ?? string.Empty, request);
        }
        else
        {
            graph.Add(loader, "main_model_loader", new JsonObject { ["model"] = model.Main.ToIdentifier() });
            graph.Add("clip_skip", "clip_skip", new JsonObject { ["skipped_layers"] = 0 });
            graph.Edge(loader, "clip", "clip_skip", "clip");
            graph.Add("positive_prompt", "compel", new JsonObject { ["prompt"] = request.Prompt });
            graph.Add("negative_prompt", "compel", new JsonObject { ["prompt"] = request.NegativePrompt ?? string.Empty });
            graph.Edge("clip_skip", "clip", "positive_prompt", "clip");
            graph.Edge("clip_skip", "clip", "negative_prompt", "clip");
        }

        graph.Add("noise", "noise", new JsonObject
        {
            ["seed"] = request.Seed,
            ["width"] = request.Width,
            ["height"] = request.Height,
            ["use_cpu"] = true,
        });
        var denoise = graph.Add("denoise", "denoise_latents", new JsonObject
        {
            ["steps"] = request.Steps,
            ["cfg_scale"] = request.CfgScale,
            ["scheduler"] = request.Scheduler,
            ["denoising_start"] = request.DenoisingStart,
            ["denoising_end"] = 1.0,
            ["cfg_rescale_multiplier"] = 0.0,
        });
        InvokeAiGraph.NoCache(denoise);
        graph.Edge(loader, "unet", "denoise", "unet");
        graph.Edge("positive_prompt", "conditioning", "denoise", "positive_conditioning");
        graph.Edge("negative_prompt", "conditioning", "denoise", "negative_conditioning");
        graph.Edge("noise", "noise", "denoise", "noise");

        if (request.Kind is EngineJobKind.ImageToImage or EngineJobKind.Inpaint)
        {
            var encode = graph.Add("encode", "i2l", new JsonObject { ["fp32"] = fp32 });
            InvokeAiGraphBuilder.WireInit(graph, request, encode, "image");
            graph.Edge(loader, "vae", "encode", "vae");
            graph.Edge("encode", "latents", "denoise", "latents");
        }

        if (model.IsSdxl)
        {
            AddOnsGraph.AddSdxlLoras(graph, request, loader, "denoise");
        }
        else
        {
            AddOnsGraph.AddSd1Loras(graph, request, loader, "denoise");
        }
        AddOnsGraph.AddControls(graph, request, "denoise", flux: false, loader);
        AddOnsGraph.AddReference(graph, request, "denoise", flux: false);

        var inpaint = request.Kind == EngineJobKind.Inpaint;
        var decodeId = inpaint ? "decode" : InvokeAiGraphBuilder.OutputNodeId;
        var decode = graph.Add(decodeId, "l2i", new JsonObject { ["fp32"] = fp32 });
        InvokeAiGraph.NoCache(decode);
        graph.Edge("denoise", "latents", decodeId, "latents");
        graph.Edge(loader, "vae", decodeId, "vae");
        if (!inpaint)
        {
            InvokeAiGraph.MarkOutput(decode);
            return new InvokeAiBuiltGraph(graph, decodeId);
        }
        return new InvokeAiBuiltGraph(graph, InvokeAiGraphBuilder.AddInpaint(graph, request, loader, loader, "denoise", decodeId, fp32));
    }

    // The UI feeds the prompt into both prompt and style, with the output size as original and target size.
    private static void AddSdxlPrompt(InvokeAiGraph graph, string id, string prompt, InvokeAiGraphRequest request)
    {
        graph.Add(id, "sdxl_compel_prompt", new JsonObject
        {
            ["prompt"] = prompt,
            ["style"] = prompt,
            ["original_width"] = request.Width,
            ["original_height"] = request.Height,
            ["crop_top"] = 0,
            ["crop_left"] = 0,
            ["target_width"] = request.Width,
            ["target_height"] = request.Height,
        });
        graph.Edge("model_loader", "clip", id, "clip");
        graph.Edge("model_loader", "clip2", id, "clip2");
    }
}
