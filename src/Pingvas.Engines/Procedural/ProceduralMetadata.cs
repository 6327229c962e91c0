using System.Text.Json;

namespace Pingvas.Engines.Procedural;

/// <summary>The per-image metadata stored with every output (and embedded in its PNG).</summary>
internal static class ProceduralMetadata
{
    public const string EngineKind = "development (procedural renderer, not AI)";

    /// <summary>The shared fields, plus <c>loras</c>, <c>control</c> and <c>reference</c> (JSON) when the job uses them.</summary>
    public static IReadOnlyDictionary<string, string> For(EngineJob job, string engine, int index, long seed)
    {
        var metadata = ImageMetadata.For(job, engine, EngineKind, index, seed);
        if (job.Kind == EngineJobKind.Upscale)
        {
            return metadata;
        }

        if (job.Loras.Count > 0)
        {
            metadata["loras"] = JsonSerializer.Serialize(job.Loras.Select(l => new { id = l.Id, family = l.Family, weight = l.Weight }));
        }

        if (job.Controls.Count > 0)
        {
            metadata["control"] = JsonSerializer.Serialize(job.Controls.Select(c => new
            {
                type = c.Type,
                weight = c.Weight,
                beginPercent = c.BeginPercent,
                endPercent = c.EndPercent,
            }));
        }

        if (job.Reference is not null)
        {
            metadata["reference"] = JsonSerializer.Serialize(new { weight = job.Reference.Weight });
        }

        return metadata;
    }
}
