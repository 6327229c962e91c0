using System.Globalization;

namespace Pingvas.Engines;

/// <summary>
/// The per-image metadata every engine stores with its outputs (and embeds in the PNG): what was
/// asked for, in the API's words (<c>kind</c> is <c>txt2img</c>, <c>img2img</c>, <c>inpaint</c> or
/// <c>upscale</c>), so a gallery reads the same whichever engine made the image.
/// </summary>
public static class ImageMetadata
{
    /// <param name="sampler">False for engines without steps, cfg and scheduler (the relayed APIs).</param>
    public static Dictionary<string, string> For(EngineJob job, string engine, string engineKind, int index, long seed, bool sampler = true)
    {
        var invariant = CultureInfo.InvariantCulture;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["engine"] = engine,
            ["engineKind"] = engineKind,
            ["kind"] = KindName(job.Kind),
            ["model"] = job.Model,
            ["prompt"] = job.Prompt,
            ["negativePrompt"] = job.NegativePrompt ?? string.Empty,
            ["width"] = job.Width.ToString(invariant),
            ["height"] = job.Height.ToString(invariant),
            ["seed"] = seed.ToString(invariant),
            ["batchIndex"] = index.ToString(invariant),
            ["batchSize"] = job.BatchSize.ToString(invariant),
        };
        if (sampler)
        {
            metadata["steps"] = job.Steps.ToString(invariant);
            metadata["cfgScale"] = job.CfgScale.ToString(invariant);
            metadata["scheduler"] = job.Scheduler;
        }

        switch (job.Kind)
        {
            case EngineJobKind.ImageToImage or EngineJobKind.Inpaint:
                metadata["strength"] = job.Strength.ToString(invariant);
                break;
            case EngineJobKind.Upscale:
                metadata["upscaleScale"] = job.UpscaleScale.ToString(invariant);
                break;
        }

        return metadata;
    }

    public static string KindName(EngineJobKind kind) => kind switch
    {
        EngineJobKind.TextToImage => "txt2img",
        EngineJobKind.ImageToImage => "img2img",
        EngineJobKind.Inpaint => "inpaint",
        EngineJobKind.Upscale => "upscale",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown job kind"),
    };
}
