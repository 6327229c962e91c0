using Pingvas.Engines.Procedural;

namespace Pingvas.Engines.Tests;

/// <summary>Jobs and engines for the procedural engine tests.</summary>
internal static class EngineTestKit
{
    public static EngineJob Job(
        string prompt = "a lighthouse in a storm",
        long seed = 1234,
        string model = "sdxl-1.0",
        int width = 64,
        int height = 64,
        int steps = 8,
        int batch = 1,
        string? negative = null,
        double cfg = 7.5,
        string scheduler = "euler")
    {
        return new EngineJob(Guid.NewGuid(), model, prompt, negative, width, height, steps, cfg, scheduler, seed, batch);
    }

    public static ProceduralEngine Engine(int stepDelayMs = 0, int previewSize = 32, int maxDegreeOfParallelism = -1, TimeProvider? time = null)
    {
        var options = new ProceduralEngineOptions
        {
            StepDelayMs = stepDelayMs,
            PreviewSize = previewSize,
            MaxDegreeOfParallelism = maxDegreeOfParallelism,
        };
        return new ProceduralEngine(options, time ?? TimeProvider.System);
    }

    public static async Task<(EngineResult Result, List<EngineProgress> Progress)> RunAsync(
        ProceduralEngine engine, EngineJob job, CancellationToken cancellationToken = default)
    {
        var progress = new List<EngineProgress>();
        var result = await engine.RunAsync(
            job,
            p =>
            {
                progress.Add(p);
                return ValueTask.CompletedTask;
            },
            cancellationToken);
        return (result, progress);
    }
}
