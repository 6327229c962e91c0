namespace Pingvas.Core.Plans;

/// <summary>The feature flags of a plan's comma-separated <c>features</c> column (PRODUCT.md §2 feature matrix).</summary>
public static class PlanFeatures
{
    /// <summary>Txt2img and img2img: every plan.</summary>
    public const string Generate = "generate";

    /// <summary>Inpainting with a mask.</summary>
    public const string Canvas = "canvas";

    public const string Upscale = "upscale";

    /// <summary>Run InvokeAI workflows (node graphs): Starter and above.</summary>
    public const string Workflows = "workflows";

    /// <summary>Upload LoRAs and apply them: Pro and above.</summary>
    public const string Loras = "loras";

    /// <summary>ControlNet control images and IP-Adapter references: Pro and above.</summary>
    public const string Control = "control";

    public static bool Has(string features, string feature) =>
        features.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Contains(feature, StringComparer.Ordinal);
}
