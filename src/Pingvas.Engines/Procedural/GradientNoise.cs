namespace Pingvas.Engines.Procedural;

/// <summary>
/// 2-D gradient (Perlin) noise with a seeded permutation. Only additions, multiplications and
/// floor are used — no libm transcendental functions — so a pixel comes out bit-identical on
/// every CPU and runtime, which the "same inputs, same bytes" promise depends on.
/// </summary>
internal sealed class GradientNoise
{
    private readonly int[] _perm = new int[512];

    public GradientNoise(ulong seed)
    {
        var rng = new SplitMix64(seed);
        Span<int> p = stackalloc int[256];
        for (var i = 0; i < 256; i++)
        {
            p[i] = i;
        }

        for (var i = 255; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }

        for (var i = 0; i < 512; i++)
        {
            _perm[i] = p[i & 255];
        }
    }

    /// <summary>Noise in roughly [-1, 1], smooth, with one feature per unit.</summary>
    public float Sample(float x, float y)
    {
        var fx0 = MathF.Floor(x);
        var fy0 = MathF.Floor(y);
        var xi = (int)fx0 & 255;
        var yi = (int)fy0 & 255;
        var fx = x - fx0;
        var fy = y - fy0;
        var u = Fade(fx);
        var v = Fade(fy);

        var perm = _perm;
        var a = perm[xi] + yi;
        var b = perm[xi + 1] + yi;
        var n00 = Grad(perm[a], fx, fy);
        var n10 = Grad(perm[b], fx - 1, fy);
        var n01 = Grad(perm[a + 1], fx, fy - 1);
        var n11 = Grad(perm[b + 1], fx - 1, fy - 1);

        var top = n00 + (u * (n10 - n00));
        var bottom = n01 + (u * (n11 - n01));
        return top + (v * (bottom - top));
    }

    private static float Fade(float t)
    {
        return t * t * t * ((t * ((t * 6) - 15)) + 10);
    }

    // Eight gradient directions; the diagonals are pre-scaled by 1/√2 so all have unit length.
    private static float Grad(int hash, float x, float y)
    {
        const float d = 0.70710678f;
        return (hash & 7) switch
        {
            0 => x,
            1 => -x,
            2 => y,
            3 => -y,
            4 => d * (x + y),
            5 => d * (x - y),
            6 => d * (y - x),
            _ => -d * (x + y),
        };
    }
}
