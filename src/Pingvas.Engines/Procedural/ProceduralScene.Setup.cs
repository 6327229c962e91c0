namespace Pingvas.Engines.Procedural;

/// <summary>Building the scene's octaves and shapes from the seeded generator.</summary>
internal sealed partial class ProceduralScene
{
    private Octave[] CreateOctaves(ProceduralStyle style, ref SplitMix64 rng)
    {
        var octaves = new Octave[style.Octaves];
        var frequency = rng.Range(1.5f, 3f);
        var amplitude = 0.32f;
        for (var k = 0; k < octaves.Length; k++)
        {
            // Each octave tints along the difference of two palette colours, so detail stays in the palette.
            var a = rng.Next(Palette.Size);
            var b = (a + 1 + rng.Next(Palette.Size - 1)) % Palette.Size;
            var scale = k >= octaves.Length / 2 ? amplitude * style.DetailFactor : amplitude;
            // A random rotation from a normalised random vector (no trigonometry, see GradientNoise).
            var rx = rng.Range(-1f, 1f);
            var ry = rng.Range(0.2f, 1f);
            var length = MathF.Sqrt((rx * rx) + (ry * ry));
            octaves[k] = new Octave(
                frequency * rx / length,
                frequency * ry / length,
                scale,
                1.2f * (_palette[a * 3] - _palette[b * 3]),
                1.2f * (_palette[(a * 3) + 1] - _palette[(b * 3) + 1]),
                1.2f * (_palette[(a * 3) + 2] - _palette[(b * 3) + 2]),
                rng.Range(0f, 256f),
                rng.Range(0f, 256f),
                k >= 2 && rng.NextFloat() < 0.25f);

            // A lacunarity a little off 2 keeps the octaves' lattices from lining up.
            frequency *= rng.Range(1.9f, 2.15f);
            amplitude *= style.Gain;
        }

        return octaves;
    }

    private Shape[] CreateShapes(ProceduralStyle style, ref SplitMix64 rng, float extentU, float extentV)
    {
        var shapes = new Shape[style.MinShapes + rng.Next(style.MaxShapes - style.MinShapes + 1)];
        for (var s = 0; s < shapes.Length; s++)
        {
            var colour = 2 + rng.Next(Palette.Size - 2);
            shapes[s] = new Shape(
                rng.Range(0.1f, 0.9f) * extentU,
                rng.Range(0.1f, 0.9f) * extentV,
                rng.Range(0.05f, 0.22f),
                rng.Range(0.1f, 0.5f),
                _palette[colour * 3],
                _palette[(colour * 3) + 1],
                _palette[(colour * 3) + 2],
                rng.Range(0.55f, 0.9f),
                rng.NextFloat() < 0.25f);
        }

        return shapes;
    }
}
