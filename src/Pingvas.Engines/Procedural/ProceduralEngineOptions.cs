namespace Pingvas.Engines.Procedural;

/// <summary>Settings of the built-in development renderer (<see cref="ProceduralEngine"/>).</summary>
public sealed class ProceduralEngineOptions
{
    /// <summary>The local model ids this engine serves by default.</summary>
    public static IReadOnlyList<string> DefaultModels { get; } = ["sd-1.5", "sdxl-1.0", "flux-schnell", "flux-dev"];

    /// <summary>
    /// Extra pause after every step, in milliseconds, so development runs pace like a GPU and
    /// progress, cancellation and billing can be exercised. 0 renders as fast as the CPU allows.
    /// </summary>
    public int StepDelayMs { get; set; } = 50;

    /// <summary>Long side of the per-step WebP preview, 1–128 px (the contract caps previews at 128).</summary>
    public int PreviewSize { get; set; } = 96;

    /// <summary>Model ids <see cref="ProceduralEngine.CanRun"/> accepts (compared ordinally).</summary>
    public IReadOnlyCollection<string> Models { get; set; } = DefaultModels;

    /// <summary>Cores one render may use (rows are rendered in parallel); -1 means all.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;
}
