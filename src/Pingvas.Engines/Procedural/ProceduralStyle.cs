namespace Pingvas.Engines.Procedural;

/// <summary>
/// The look knobs derived from the job's model, CFG scale and step count, so those parameters
/// change the render the way a user would expect (bigger models: more detail; higher CFG: more
/// contrast; few steps: softer image).
/// </summary>
internal sealed record ProceduralStyle(
    int Octaves,
    float Gain,
    float WarpStrength,
    int MinShapes,
    int MaxShapes,
    float Contrast,
    float Saturation,
    float DetailFactor)
{
    public static ProceduralStyle For(string model, double cfgScale, int steps)
    {
        var cfg = (float)Math.Clamp(cfgScale, 0, 20);
        var contrast = 0.85f + (0.03f * cfg);
        var saturation = 0.8f + (0.03f * cfg);

        // Fewer than ~20 steps leaves the finest layers faint, like an under-sampled diffusion run.
        var detail = Math.Clamp(steps / 20f, 0.35f, 1f);

        return model switch
        {
            "sd-1.5" => new ProceduralStyle(6, 0.6f, 0.18f, 2, 4, contrast, saturation, detail),
            "sdxl-1.0" => new ProceduralStyle(8, 0.66f, 0.22f, 3, 5, contrast, saturation, detail),
            "flux-schnell" => new ProceduralStyle(7, 0.64f, 0.3f, 4, 6, contrast, saturation * 1.1f, detail),
            "flux-dev" => new ProceduralStyle(8, 0.68f, 0.3f, 4, 7, contrast, saturation * 1.1f, detail),
            _ => new ProceduralStyle(7, 0.64f, 0.24f, 3, 5, contrast, saturation, detail),
        };
    }
}
