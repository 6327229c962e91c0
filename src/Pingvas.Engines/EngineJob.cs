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

    /// <summary>The owner's LoRAs to apply (text-to-image, image-to-image, inpaint); the model's family matches each.</summary>
    public IReadOnlyList<EngineLora> Loras { get; init; } = [];

    /// <summary>ControlNet images, preprocessed by the engine as their type says.</summary>
    public IReadOnlyList<EngineControl> Controls { get; init; } = [];

    /// <summary>An IP-Adapter reference image.</summary>
    public EngineReference? Reference { get; init; }

    /// <summary>
    /// A workflow job's graph. An engine that runs graphs (InvokeAI) runs it instead of building one;
    /// any other renders the job's plain fields (<see cref="Kind"/>, prompt, size…), which the server
    /// filled from the graph when it is a plain text-to-image, image-to-image or inpaint chain.
    /// </summary>
    public EngineWorkflow? Workflow { get; init; }
}

/// <summary>
/// A user's LoRA as a worker needs it: installed on a node under <see cref="NodeName"/> (which
/// carries no user data) from <see cref="DownloadUrl"/>, a short-lived signed URL of the file.
/// </summary>
/// <param name="Family">Base model family: <c>sd1</c>, <c>sdxl</c> or <c>flux</c>.</param>
public sealed record EngineLora(Guid Id, string Family, double Weight, long Bytes, string Sha256, string DownloadUrl)
{
    public string NodeName => $"pingvas-lora-{Id:N}";
}

/// <summary>A ControlNet input: <paramref name="Type"/> is <c>canny</c>, <c>depth</c>, <c>pose</c> or <c>lineart</c>; the percents are of the denoise (0–1).</summary>
public sealed record EngineControl(string Type, EngineInputImage Image, double Weight, double BeginPercent, double EndPercent);

/// <summary>An IP-Adapter reference image and its weight.</summary>
public sealed record EngineReference(EngineInputImage Image, double Weight);

/// <summary>
/// A checked workflow graph in the queue API's shape (<c>{nodes, edges}</c>). Its model fields are
/// Pingvas references (<see cref="WorkflowRefs"/>), its image fields name <see cref="Images"/> by id;
/// <see cref="OutputNodeIds"/> are the nodes whose images are the job's outputs, in order.
/// </summary>
public sealed record EngineWorkflow(System.Text.Json.Nodes.JsonObject Graph, IReadOnlyList<string> OutputNodeIds, IReadOnlyDictionary<Guid, EngineInputImage> Images);

/// <summary>
/// How a stored workflow graph refers to things only a worker can resolve on its node. A model field
/// (<c>ModelIdentifierField</c>) keeps <c>name</c>, <c>base</c> and <c>type</c> and gets the key
/// <c>pingvas:main:&lt;catalog id&gt;</c> (the catalog model, resolved as the engine maps it),
/// <c>pingvas:aux</c> (an auxiliary model found on the node by name + base + type) or
/// <c>pingvas:lora:&lt;lora id&gt;</c> (the owner's LoRA, installed on first use); an image field
/// (<c>ImageField</c>) gets the name <c>pingvas:image:&lt;image id&gt;</c>.
/// </summary>
public static class WorkflowRefs
{
    public const string MainPrefix = "pingvas:main:";
    public const string Aux = "pingvas:aux";
    public const string LoraPrefix = "pingvas:lora:";
    public const string ImagePrefix = "pingvas:image:";
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
