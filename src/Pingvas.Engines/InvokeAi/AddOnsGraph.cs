using System.Text.Json.Nodes;

namespace Pingvas.Engines.InvokeAi;

/// <summary>
/// LoRAs, ControlNets and the IP-Adapter, added to a built graph the way InvokeAI's UI adds them
/// (generation/addLoRAs.ts, addSDXLLoRAs.ts, addFLUXLoRAs.ts, addControlAdapters.ts, addIPAdapters.ts):
/// each LoRA a <c>lora_selector</c> collected into the family's collection loader, which the model's
/// connections are rerouted through; ControlNets and the IP-Adapter collected into the denoise node.
/// </summary>
internal static class AddOnsGraph
{
    public const string LoraLoaderId = "lora_loader";

    /// <summary>SD 1.x: UNet from the model loader and CLIP after clip_skip, out to denoise and both prompts.</summary>
    public static void AddSd1Loras(InvokeAiGraph graph, InvokeAiGraphRequest request, string loader, string denoise)
    {
        if (!AddLoraCollection(graph, request, "lora_collection_loader"))
        {
            return;
        }
        graph.Edge(loader, "unet", LoraLoaderId, "unet");
        graph.Edge("clip_skip", "clip", LoraLoaderId, "clip");
        Reroute(graph, LoraLoaderId, "unet", denoise, "unet");
        Reroute(graph, LoraLoaderId, "clip", "positive_prompt", "clip");
        Reroute(graph, LoraLoaderId, "clip", "negative_prompt", "clip");
    }

    /// <summary>SDXL: UNet and both CLIPs from the model loader.</summary>
    public static void AddSdxlLoras(InvokeAiGraph graph, InvokeAiGraphRequest request, string loader, string denoise)
    {
        if (!AddLoraCollection(graph, request, "sdxl_lora_collection_loader"))
        {
            return;
        }
        graph.Edge(loader, "unet", LoraLoaderId, "unet");
        graph.Edge(loader, "clip", LoraLoaderId, "clip");
        graph.Edge(loader, "clip2", LoraLoaderId, "clip2");
        Reroute(graph, LoraLoaderId, "unet", denoise, "unet");
        foreach (var prompt in new[] { "positive_prompt", "negative_prompt" })
        {
            Reroute(graph, LoraLoaderId, "clip", prompt, "clip");
            Reroute(graph, LoraLoaderId, "clip2", prompt, "clip2");
        }
    }

    /// <summary>FLUX: the transformer and both text encoders go through the loader.</summary>
    public static void AddFluxLoras(InvokeAiGraph graph, InvokeAiGraphRequest request, string loader, string denoise)
    {
        if (!AddLoraCollection(graph, request, "flux_lora_collection_loader"))
        {
            return;
        }
        graph.Edge(loader, "transformer", LoraLoaderId, "transformer");
        graph.Edge(loader, "clip", LoraLoaderId, "clip");
        graph.Edge(loader, "t5_encoder", LoraLoaderId, "t5_encoder");
        Reroute(graph, LoraLoaderId, "transformer", denoise, "transformer");
        Reroute(graph, LoraLoaderId, "clip", "positive_prompt", "clip");
        Reroute(graph, LoraLoaderId, "t5_encoder", "positive_prompt", "t5_encoder");
    }

    /// <summary>
    /// Each control image goes through its type's preprocessor (the UI runs the same filters on the
    /// canvas before generating), then a ControlNet node; all are collected into the denoise node's
    /// <c>control</c>. A FLUX ControlNet also needs the VAE on <c>controlnet_vae</c>.
    /// </summary>
    public static void AddControls(InvokeAiGraph graph, InvokeAiGraphRequest request, string denoise, bool flux, string vaeSource)
    {
        if (request.Controls.Count == 0)
        {
            return;
        }
        const string collector = "control_collector";
        graph.Add(collector, "collect");
        for (var i = 0; i < request.Controls.Count; i++)
        {
            var control = request.Controls[i];
            var preprocessor = $"control_preprocessor_{i}";
            var (type, fields) = Preprocessor(control.Type);
            fields["image"] = InvokeAiGraph.Image(control.ImageName);
            graph.Add(preprocessor, type, fields);
            var id = $"control_{i}";
            var node = new JsonObject
            {
                ["control_model"] = control.Model.Model.ToIdentifier(),
                ["control_weight"] = control.Weight,
                ["begin_step_percent"] = control.BeginPercent,
                ["end_step_percent"] = control.EndPercent,
                ["resize_mode"] = "just_resize",
            };
            if (flux)
            {
                node["instantx_control_mode"] = control.Model.Mode ?? -1;
            }
            else
            {
                node["control_mode"] = "balanced";
            }
            graph.Add(id, flux ? "flux_controlnet" : "controlnet", node);
            graph.Edge(preprocessor, "image", id, "image");
            graph.Edge(id, "control", collector, "item");
        }
        graph.Edge(collector, "collection", denoise, "control");
        if (flux)
        {
            graph.Edge(vaeSource, "vae", denoise, "controlnet_vae");
        }
    }

    /// <summary>The reference image through <c>ip_adapter</c> (SD) or <c>flux_ip_adapter</c>, collected into the denoise node.</summary>
    public static void AddReference(InvokeAiGraph graph, InvokeAiGraphRequest request, string denoise, bool flux)
    {
        if (request.Reference is not { } reference)
        {
            return;
        }
        const string collector = "ip_adapter_collector";
        graph.Add(collector, "collect");
        var node = new JsonObject
        {
            ["image"] = InvokeAiGraph.Image(reference.ImageName),
            ["ip_adapter_model"] = reference.Model.Adapter.ToIdentifier(),
            ["clip_vision_model"] = reference.Model.ClipVision,
            ["weight"] = reference.Weight,
            ["begin_step_percent"] = 0.0,
            ["end_step_percent"] = 1.0,
        };
        if (!flux)
        {
            node["method"] = "full";
        }
        graph.Add("ip_adapter", flux ? "flux_ip_adapter" : "ip_adapter", node);
        graph.Edge("ip_adapter", "ip_adapter", collector, "item");
        graph.Edge(collector, "collection", denoise, "ip_adapter");
    }

    /// <summary>The preprocessor node for a control type, with the UI's filter defaults.</summary>
    internal static (string Type, JsonObject Fields) Preprocessor(string controlType) => controlType switch
    {
        "canny" => ("canny_edge_detection", new JsonObject { ["low_threshold"] = 100, ["high_threshold"] = 200 }),
        "depth" => ("depth_anything_depth_estimation", new JsonObject { ["model_size"] = "small_v2" }),
        "pose" => ("dw_openpose_detection", new JsonObject { ["draw_body"] = true, ["draw_face"] = false, ["draw_hands"] = false }),
        "lineart" => ("lineart_edge_detection", new JsonObject { ["coarse"] = false }),
        _ => throw new ArgumentException($"Unknown control type '{controlType}'.", nameof(controlType)),
    };

    private static bool AddLoraCollection(InvokeAiGraph graph, InvokeAiGraphRequest request, string loaderType)
    {
        if (request.Loras.Count == 0)
        {
            return false;
        }
        const string collector = "lora_collector";
        graph.Add(collector, "collect");
        graph.Add(LoraLoaderId, loaderType);
        graph.Edge(collector, "collection", LoraLoaderId, "loras");
        for (var i = 0; i < request.Loras.Count; i++)
        {
            var id = $"lora_selector_{i}";
            graph.Add(id, "lora_selector", new JsonObject
            {
                ["lora"] = request.Loras[i].Model.ToIdentifier(),
                ["weight"] = request.Loras[i].Weight,
            });
            graph.Edge(id, "lora", collector, "item");
        }
        return true;
    }

    private static void Reroute(InvokeAiGraph graph, string source, string sourceField, string destination, string destinationField)
    {
        graph.RemoveEdgesTo(destination, destinationField);
        graph.Edge(source, sourceField, destination, destinationField);
    }
}
