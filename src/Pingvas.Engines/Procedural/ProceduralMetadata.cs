namespace Pingvas.Engines.Procedural;

/// <summary>The per-image metadata stored with every output (and embedded in its PNG).</summary>
internal static class ProceduralMetadata
{
    public const string EngineKind = "development (procedural renderer, not AI)";

    public static IReadOnlyDictionary<string, string> For(EngineJob job, string engine, int index, long seed) =>
        ImageMetadata.For(job, engine, EngineKind, index, seed);
}
