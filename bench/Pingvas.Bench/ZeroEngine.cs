using Pingvas.Engines;
using Pingvas.Engines.Imaging;

namespace Pingvas.Bench;

/// <summary>
/// An engine that takes no time: one 8×8 image, zero compute seconds. What remains of a job is
/// the queue and the bookkeeping around it: claim, storing the image (PNG + two WebP thumbnails
/// on the local object store), settling the credits, events.
/// </summary>
public sealed class ZeroEngine : IImageEngine
{
    private static readonly IReadOnlyDictionary<string, string> Metadata = new Dictionary<string, string> { ["engine"] = "bench-zero" };

    public string Name => "bench-zero";

    public IReadOnlyCollection<string> Models => Pingvas.Engines.Procedural.ProceduralEngineOptions.DefaultModels;

    public Task<EngineResult> RunAsync(EngineJob job, Func<EngineProgress, ValueTask> onProgress, CancellationToken cancellationToken) =>
        Task.FromResult(new EngineResult(Name, [new EngineImage(0, job.Seed, new RgbaImage(8, 8), Metadata)], TimeSpan.Zero, TimeSpan.Zero));
}
