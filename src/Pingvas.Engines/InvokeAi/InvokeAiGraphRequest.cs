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

    /// <summary>Where img2img and inpaint start in the schedule: InvokeAI's denoising_start = 1 − strength.</summary>
    public double DenoisingStart => Kind is EngineJobKind.ImageToImage or EngineJobKind.Inpaint
        ? Math.Clamp(1 - Strength, 0, 1)
        : 0;
}

/// <summary>A built graph and the id of the node whose image is the result.</summary>
public sealed record InvokeAiBuiltGraph(InvokeAiGraph Graph, string OutputNodeId);
