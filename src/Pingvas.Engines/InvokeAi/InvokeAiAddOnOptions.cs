namespace Pingvas.Engines.InvokeAi;

/// <summary>
/// The ControlNet and IP-Adapter models a node needs for <c>control</c> and <c>reference</c>, keyed by
/// our family (<c>sd1</c>, <c>sdxl</c>, <c>flux</c>). Defaults are InvokeAI's starter models
/// (invokeai/backend/model_manager/starter_models.py); configuration overrides them per key.
/// </summary>
public static class InvokeAiAddOnDefaults
{
    /// <summary>Our family → InvokeAI base.</summary>
    public static string BaseOf(string family) => family switch
    {
        "sd1" => "sd-1",
        "sdxl" => "sdxl",
        "flux" => "flux",
        _ => family,
    };

    /// <summary>InvokeAI base of a main model → our family.</summary>
    public static string FamilyOf(string baseType) => baseType switch
    {
        "sd-1" => "sd1",
        _ => baseType,
    };

    /// <summary>
    /// <c>Control:{family}:{type}</c>. FLUX has one starter ControlNet, InstantX's union model, which
    /// picks the kind of guidance by <c>instantx_control_mode</c> (canny 0, depth 2).
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, InvokeAiControlOptions>> Control { get; } =
        new Dictionary<string, IReadOnlyDictionary<string, InvokeAiControlOptions>>(StringComparer.Ordinal)
        {
            ["sd1"] = new Dictionary<string, InvokeAiControlOptions>(StringComparer.Ordinal)
            {
                ["canny"] = new() { Name = "Hard Edge Detection (canny)", Base = "sd-1" },
                ["depth"] = new() { Name = "Depth Map", Base = "sd-1" },
                ["pose"] = new() { Name = "Pose Detection (openpose)", Base = "sd-1" },
                ["lineart"] = new() { Name = "Lineart", Base = "sd-1" },
            },
            ["sdxl"] = new Dictionary<string, InvokeAiControlOptions>(StringComparer.Ordinal)
            {
                ["canny"] = new() { Name = "Hard Edge Detection (canny)", Base = "sdxl" },
                ["depth"] = new() { Name = "Depth Map", Base = "sdxl" },
                ["pose"] = new() { Name = "Pose Detection (openpose)", Base = "sdxl" },
            },
            ["flux"] = new Dictionary<string, InvokeAiControlOptions>(StringComparer.Ordinal)
            {
                ["canny"] = new() { Name = "FLUX.1-dev-Controlnet-Union", Base = "flux", Mode = 0 },
                ["depth"] = new() { Name = "FLUX.1-dev-Controlnet-Union", Base = "flux", Mode = 2 },
            },
        };

    /// <summary>
    /// <c>Reference:{family}</c>: the IP-Adapter and the CLIP Vision encoder its node loads by name
    /// (ip_adapter.py's CLIP_VISION_MODEL_MAP: ViT-H, ViT-G, ViT-L). The encoder must be installed:
    /// the node would otherwise download it in the middle of a job.
    /// </summary>
    public static IReadOnlyDictionary<string, InvokeAiReferenceOptions> Reference { get; } =
        new Dictionary<string, InvokeAiReferenceOptions>(StringComparer.Ordinal)
        {
            ["sd1"] = new() { Name = "Standard Reference (IP Adapter)", Base = "sd-1", ClipVision = "ViT-H", ImageEncoder = "IP Adapter SD1.5 Image Encoder" },
            ["sdxl"] = new() { Name = "Standard Reference (IP Adapter ViT-H)", Base = "sdxl", ClipVision = "ViT-H", ImageEncoder = "IP Adapter SD1.5 Image Encoder" },
            ["flux"] = new() { Name = "Standard Reference (XLabs FLUX IP-Adapter v2)", Base = "flux", ClipVision = "ViT-L", ImageEncoder = "clip-vit-large-patch14" },
        };
}

/// <summary>A ControlNet model (name + base) and, for a union model, the mode that selects the guidance.</summary>
public sealed class InvokeAiControlOptions
{
    public string? Name { get; set; }

    public string? Base { get; set; }

    /// <summary>FLUX union ControlNets only: <c>instantx_control_mode</c>.</summary>
    public int? Mode { get; set; }
}

/// <summary>An IP-Adapter model (name + base), the CLIP Vision variant its node takes and that encoder's installed name.</summary>
public sealed class InvokeAiReferenceOptions
{
    public string? Name { get; set; }

    public string? Base { get; set; }

    /// <summary><c>ViT-H</c>, <c>ViT-G</c> or <c>ViT-L</c> (the node's <c>clip_vision_model</c>).</summary>
    public string? ClipVision { get; set; }

    /// <summary>The installed <c>clip_vision</c> model the node loads for <see cref="ClipVision"/>.</summary>
    public string? ImageEncoder { get; set; }
}
