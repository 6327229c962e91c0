using Pingvas.Engines.Imaging;

namespace Pingvas.Engines;

/// <summary>What a job asks an engine to do. Text-to-image needs no input image; the others start from one.</summary>
public enum EngineJobKind
{
    TextToImage,

    /// <summary>Starts from <see cref="EngineJob.InitImage"/>, moved away from it by <see cref="EngineJob.Strength"/>.</summary>
    ImageToImage,

    /// <summary>Repaints only the area <see cref="EngineJob.Mask"/> marks on <see cref="EngineJob.InitImage"/> (the Canvas feature).</summary>
    Inpaint,

    /// <summary>Enlarges <see cref="EngineJob.InitImage"/> by <see cref="EngineJob.UpscaleScale"/> and adds detail.</summary>
    Upscale,
}

/// <summary>
/// An image a job starts from, as its owner uploaded it: PNG, WebP or JPEG bytes the server has
/// already decoded once (so they are the image they claim), with its size.
/// </summary>
public sealed record EngineInputImage(string ContentType, byte[] Bytes, int Width, int Height);

/// <summary>What a worker asks an engine to render. Every field is already validated by the server.</summary>
/// <remarks><see cref="Width"/> and <see cref="Height"/> are the output size (for an upscale, the input's times the scale).</remarks>
public sealed record EngineJob(
    Guid JobId,
    string Model,
    string Prompt,
    string? NegativePrompt,
    int Width,
    int Height,
    int Steps,
    double CfgScale,
    string Scheduler,
    long Seed,
    int BatchSize)
{
    public EngineJobKind Kind { get; init; } = EngineJobKind.TextToImage;

    /// <summary>Image-to-image and inpaint: the starting image; upscale: the image to enlarge.</summary>
    public EngineInputImage? InitImage { get; init; }

    /// <summary>
    /// Inpaint only: the area to repaint, the same size as <see cref="InitImage"/>. White (luminance
    /// at least half, on opaque pixels) is repainted; black is kept exactly.
    /// </summary>
    public EngineInputImage? Mask { get; init; }

    /// <summary>Image-to-image and inpaint: 0 keeps the init image, 1 ignores it (what InvokeAI calls 1 − denoising_start).</summary>
    public double Strength { get; init; } = 1;

    /// <summary>Upscale only: 2 or 4.</summary>
    public int UpscaleScale { get; init; } = 1;
}

/// <summary>
/// Progress of a run. <paramref name="Preview"/> is a small WebP (≤ 128 px on the long side).
/// <see cref="Message"/> names a phase without steps (e.g. "Loading model"), when the engine knows it.
/// </summary>
public sealed record EngineProgress(int Step, int TotalSteps, int ImageIndex, int BatchSize, byte[]? Preview)
{
    public string? Message { get; init; }
}

/// <summary>One rendered image: its pixels plus the metadata that produced it (engine, model, seed, every parameter).</summary>
public sealed record EngineImage(int Index, long Seed, RgbaImage Pixels, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// The outcome of a run. <paramref name="ComputeTime"/> is the measured time the engine spent
/// on the job (what the user pays for); <paramref name="ModelLoadTime"/> is reported separately.
/// </summary>
public sealed record EngineResult(string Engine, IReadOnlyList<EngineImage> Images, TimeSpan ComputeTime, TimeSpan ModelLoadTime)
{
    /// <summary>What an external provider charged us for the run, in US dollars (relays only; recorded per job).</summary>
    public decimal? ProviderCostUsd { get; init; }
}
