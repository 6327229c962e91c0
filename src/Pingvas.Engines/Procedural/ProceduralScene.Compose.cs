namespace Pingvas.Engines.Procedural;

/// <summary>Turning the layer buffer into visible pixels: colour grading plus the remaining noise.</summary>
internal sealed partial class ProceduralScene
{
    /// <summary>
    /// Writes row <paramref name="y"/> of the current state: the graded layer buffer plus
    /// <paramref name="sigma"/> × lattice noise (none after the last step), as opaque RGBA bytes.
    /// </summary>
    public void Compose(int y, ReadOnlySpan<float> accum, float sigma, NoiseLattice lattice, Span<byte> rgba)
    {
        var v = (y + 0.5f) * _invLongSide;
        var dv = v - _centerV;
        for (var x = 0; x < _width; x++)
        {
            var i = x * 3;
            var r = 0.5f + ((accum[i] - 0.5f) * _contrast);
            var g = 0.5f + ((accum[i + 1] - 0.5f) * _contrast);
            var b = 0.5f + ((accum[i + 2] - 0.5f) * _contrast);

            var luma = (0.2126f * r) + (0.7152f * g) + (0.0722f * b);
            r = luma + ((r - luma) * _saturation);
            g = luma + ((g - luma) * _saturation);
            b = luma + ((b - luma) * _saturation);

            var du = ((x + 0.5f) * _invLongSide) - _centerU;
            var vignette = 1f - (0.3f * ((du * du) + (dv * dv)) * _vignetteScale);
            r *= vignette;
            g *= vignette;
            b *= vignette;

            if (sigma > 0f)
            {
                lattice.Sample(x, y, out var nr, out var ng, out var nb);
                r += sigma * nr;
                g += sigma * ng;
                b += sigma * nb;
            }

            var o = x * 4;
            rgba[o] = ToByte(r);
            rgba[o + 1] = ToByte(g);
            rgba[o + 2] = ToByte(b);
            rgba[o + 3] = 255;
        }
    }

    private static byte ToByte(float value)
    {
        return (byte)(int)((Math.Clamp(value, 0f, 1f) * 255f) + 0.5f);
    }
}
