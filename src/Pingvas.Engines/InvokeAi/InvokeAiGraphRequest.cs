namespace Pingvas.Engines.InvokeAi;

/// <summary>
/// One image to render on a node, with the node's own names for its inputs: uploaded images by
/// image_name, models by identifier. <see cref="MaskImageName"/> is already in InvokeAI's
/// polarity (black is repainted, white kept).
/// </summary>
public sealed record InvokeAiGraphRequest(
    EngineJobKind Kind,
    string Prompt,
    string? NegativePrompt,
    int Width,
    int Height,
    int Steps,
    double CfgScale,
    string Scheduler,
    long Seed)
{
    public InvokeAiModelSet? Model { get; init; }

    public InvokeAiModel? Upscaler { get; init; }

    public string? InitImageName { get; init; }

    public int InitWidth { get; init; }

    public int InitHeight { get; init; }

    public string? MaskImageName { get; init; }

    public double Strength { get; init; } = 1;

    public int UpscaleScale { get; init; } = 1;

    /// <summary>Installed LoRAs (the node's cache) and their weights.</summary>
    public IReadOnlyList<InvokeAiLoraUse> Loras { get; init; } = [];

    /// <summary>ControlNet inputs, their images uploaded.</summary>
    public IReadOnlyList<InvokeAiControlUse> Controls { get; init; } = [];

    /// <summary>The IP-Adapter reference, its image uploaded.</summary>
    public InvokeAiReferenceUse? Reference { get; init; }

    /// <summary>Where img2img and inpaint start in the schedule: InvokeAI's denoising_start = 1 − strength.</summary>
    public double DenoisingStart => Kind is EngineJobKind.ImageToImage or EngineJobKind.Inpaint
        ? Math.Clamp(1 - Strength, 0, 1)
        : 0;
}

/// <summary>A LoRA installed on the node and the weight to apply it with.</summary>
public sealed record InvokeAiLoraUse(InvokeAiModel Model, double Weight);

/// <summary>A ControlNet input: <paramref name="Type"/> picks the preprocessor, the percents are of the denoise (0–1).</summary>
public sealed record InvokeAiControlUse(string Type, InvokeAiControlModel Model, string ImageName, double Weight, double BeginPercent, double EndPercent);

/// <summary>An IP-Adapter reference on the node.</summary>
public sealed record InvokeAiReferenceUse(InvokeAiReferenceModel Model, string ImageName, double Weight);

/// <summary>A built graph and the id of the node whose image is the result.</summary>
public sealed record InvokeAiBuiltGraph(InvokeAiGraph Graph, string OutputNodeId);
