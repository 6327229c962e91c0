namespace Pingvas.Core.Plans;

/// <summary>The feature flags of a plan's comma-separated <c>features</c> column (PRODUCT.md §2 feature matrix).</summary>
public static class PlanFeatures
{
    /// <summary>Txt2img and img2img: every plan.</summary>
    public const string Generate = "generate";

    /// <summary>Inpainting with a mask.</summary>
    public const string Canvas = "canvas";

    public const string Upscale = "upscale";

    public static bool Has(string features, string feature) =>
        features.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Contains(feature, StringComparer.Ordinal);
}
