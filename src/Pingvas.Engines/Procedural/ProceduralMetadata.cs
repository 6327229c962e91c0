using System.Globalization;

namespace Pingvas.Engines.Procedural;

/// <summary>The per-image metadata stored with every output (and embedded in its PNG).</summary>
internal static class ProceduralMetadata
{
    public const string EngineKind = "development (procedural renderer, not AI)";

    public static IReadOnlyDictionary<string, string> For(EngineJob job, string engine, int index, long seed)
    {
        var invariant = CultureInfo.InvariantCulture;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["engine"] = engine,
            ["engineKind"] = EngineKind,
            ["model"] = job.Model,
            ["prompt"] = job.Prompt,
            ["negativePrompt"] = job.NegativePrompt ?? string.Empty,
            ["width"] = job.Width.ToString(invariant),
            ["height"] = job.Height.ToString(invariant),
            ["steps"] = job.Steps.ToString(invariant),
            ["cfgScale"] = job.CfgScale.ToString(invariant),
            ["scheduler"] = job.Scheduler,
            ["seed"] = seed.ToString(invariant),
            ["batchIndex"] = index.ToString(invariant),
            ["batchSize"] = job.BatchSize.ToString(invariant),
        };
        switch (job.Kind)
        {
            case EngineJobKind.ImageToImage or EngineJobKind.Inpaint:
                metadata["kind"] = job.Kind == EngineJobKind.Inpaint ? "inpaint" : "img2img";
                metadata["strength"] = job.Strength.ToString(invariant);
                break;
            case EngineJobKind.Upscale:
                metadata["kind"] = "upscale";
                metadata["upscaleScale"] = job.UpscaleScale.ToString(invariant);
                break;
        }

        return metadata;
    }
}
