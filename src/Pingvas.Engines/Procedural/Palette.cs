namespace Pingvas.Engines.Procedural;

/// <summary>
/// Five harmonious colours (RGB in 0..1, stored flat) picked from a colour-wheel scheme.
/// Colour 0 is dark and colour 1 light: they form the background gradient.
/// </summary>
internal static class Palette
{
    public const int Size = 5;

    // Hue offsets (in turns) of the classic schemes: analogous, complementary, triadic, split-complementary.
    private static readonly float[][] Schemes =
    [
        [0f, 0.08f, -0.08f, 0.16f, 0.5f],
        [0f, 0.5f, 0.04f, 0.54f, -0.04f],
        [0f, 0.333f, 0.667f, 0.05f, 0.38f],
        [0f, 0.42f, 0.58f, 0.08f, 0.5f],
    ];

    /// <param name="rng">The scene generator (advanced).</param>
    /// <param name="hintHue">A hue named in the prompt, if any.</param>
    /// <param name="dark">The prompt asks for a dark scene.</param>
    /// <param name="avoidHue">A hue derived from the negative prompt: palette hues are pushed away from it.</param>
    public static float[] Create(ref SplitMix64 rng, float? hintHue, bool dark, float? avoidHue)
    {
        var baseHue = rng.NextFloat();
        if (hintHue is { } hint)
        {
            baseHue = hint + rng.Range(-0.03f, 0.03f);
        }

        var scheme = Schemes[rng.Next(Schemes.Length)];
        var brightness = dark ? 0.55f : 1f;
        var colours = new float[Size * 3];
        for (var i = 0; i < Size; i++)
        {
            var hue = baseHue + scheme[i];
            if (avoidHue is { } avoid)
            {
                hue = PushAway(hue, avoid);
            }

            var saturation = rng.Range(0.35f, 0.9f);
            var value = i switch
            {
                0 => rng.Range(0.12f, 0.32f),
                1 => rng.Range(0.6f, 0.92f),
                _ => rng.Range(0.5f, 1f),
            };
            HsvToRgb(hue, saturation, value * brightness, colours.AsSpan(i * 3, 3));
        }

        return colours;
    }

    private static float PushAway(float hue, float avoid)
    {
        const float Reach = 0.17f;
        var d = Wrap(hue - avoid + 0.5f) - 0.5f; // signed distance on the wheel, in [-0.5, 0.5)
        if (MathF.Abs(d) >= Reach)
        {
            return hue;
        }

        return hue + ((d >= 0 ? 1 : -1) * (Reach - MathF.Abs(d)));
    }

    private static float Wrap(float turns)
    {
        return turns - MathF.Floor(turns);
    }

    /// <summary>Sector-based HSV → RGB (no trigonometry, so the result is identical everywhere).</summary>
    private static void HsvToRgb(float hue, float saturation, float value, Span<float> rgb)
    {
        var h = Wrap(hue) * 6f;
        var sector = Math.Min(5, (int)h);
        var f = h - sector;
        var p = value * (1 - saturation);
        var q = value * (1 - (saturation * f));
        var t = value * (1 - (saturation * (1 - f)));
        (rgb[0], rgb[1], rgb[2]) = sector switch
        {
            0 => (value, t, p),
            1 => (q, value, p),
            2 => (p, value, t),
            3 => (p, q, value),
            4 => (t, p, value),
            _ => (value, p, q),
        };
    }
}
