using Pingvas.Engines.Imaging;

namespace Pingvas.Engines;

/// <summary>What a worker asks an engine to render. Every field is already validated by the server.</summary>
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
    int BatchSize);

/// <summary>One denoising step finished. <paramref name="Preview"/> is a small WebP (≤ 128 px on the long side).</summary>
public sealed record EngineProgress(int Step, int TotalSteps, int ImageIndex, int BatchSize, byte[]? Preview);

/// <summary>One rendered image: its pixels plus the metadata that produced it (engine, model, seed, every parameter).</summary>
public sealed record EngineImage(int Index, long Seed, RgbaImage Pixels, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// The outcome of a run. <paramref name="ComputeTime"/> is the measured time the engine spent
/// on the job (what the user pays for); <paramref name="ModelLoadTime"/> is reported separately.
/// </summary>
public sealed record EngineResult(string Engine, IReadOnlyList<EngineImage> Images, TimeSpan ComputeTime, TimeSpan ModelLoadTime);

/// <summary>An image engine: the procedural development renderer, an InvokeAI node, an external relay.</summary>
public interface IImageEngine
{
    /// <summary>Stable engine id recorded in output metadata, e.g. <c>procedural</c>.</summary>
    string Name { get; }

    bool CanRun(string model);

    /// <summary>
    /// Renders the job. Calls <paramref name="onProgress"/> after every step; throws
    /// <see cref="OperationCanceledException"/> promptly when <paramref name="cancellationToken"/> fires.
    /// </summary>
    Task<EngineResult> RunAsync(EngineJob job, Func<EngineProgress, ValueTask> onProgress, CancellationToken cancellationToken);
}

/// <summary>
/// A failure another attempt may not share (a node restarted or went away, a timeout talking to
/// it): the job goes back to the queue after a backoff, up to the queue's attempt limit, instead
/// of failing at once. <paramref name="code"/> is what the job fails with when the attempts run out.
/// </summary>
public class RetryableEngineException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}
