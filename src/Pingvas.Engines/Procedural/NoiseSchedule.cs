namespace Pingvas.Engines.Procedural;

/// <summary>
/// How much noise is left after each step, shaped by the scheduler name the way diffusion
/// schedulers differ: Karras-style schedules drop the noise early, the rest more evenly.
/// Ancestral schedulers ("_a") draw fresh noise every step instead of shrinking one field.
/// </summary>
internal sealed class NoiseSchedule
{
    /// <summary>Noise amplitude (in 0..1 colour units) before the first step.</summary>
    public const float MaxSigma = 0.6f;

    private readonly bool _karras;

    public NoiseSchedule(string scheduler)
    {
        var name = scheduler.ToLowerInvariant();
        _karras = name.Contains("karras", StringComparison.Ordinal);
        Ancestral = name.EndsWith("_a", StringComparison.Ordinal) || name.Contains("ancestral", StringComparison.Ordinal);
    }

    public bool Ancestral { get; }

    /// <summary>Noise remaining after <paramref name="step"/> of <paramref name="steps"/>; 0 after the last step.</summary>
    public float SigmaAfter(int step, int steps)
    {
        var remaining = 1f - ((float)step / steps);
        var shaped = _karras
            ? remaining * remaining * remaining
            : remaining * MathF.Sqrt(remaining); // sqrt is correctly rounded in IEEE 754, so still deterministic
        return MaxSigma * shaped;
    }

    /// <summary>
    /// The layers (coarse to fine) to add at <paramref name="step"/>: [from, to). Rounded up, so the
    /// first step always lays down the background and the last step finishes the finest layer.
    /// </summary>
    public static (int From, int To) LayersFor(int step, int steps, int layerCount)
    {
        return (CeilDiv((long)(step - 1) * layerCount, steps), CeilDiv((long)step * layerCount, steps));
    }

    private static int CeilDiv(long numerator, int denominator)
    {
        return (int)((numerator + denominator - 1) / denominator);
    }
}
