namespace Pingvas.Engines.Imaging;

/// <summary>
/// Downscaling by exact area averaging: every output pixel is the coverage-weighted mean of the
/// source pixels under it. That is the right filter for thumbnails and previews (no aliasing, no
/// ringing), and it is separable, so a 1024 px image shrinks in a few milliseconds.
/// </summary>
public static class ImageResizer
{
    /// <summary>
    /// Returns <paramref name="source"/> scaled so its long side is <paramref name="maxSide"/>, keeping the aspect ratio.
    /// Never upscales: a source that already fits comes back as a copy at the same size.
    /// </summary>
    public static RgbaImage Fit(RgbaImage source, int maxSide)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 1);

        var longSide = Math.Max(source.Width, source.Height);
        if (longSide <= maxSide)
        {
            return new RgbaImage(source.Width, source.Height, (byte[])source.Pixels.Clone());
        }

        int width, height;
        if (source.Width >= source.Height)
        {
            width = maxSide;
            height = ScaleShortSide(source.Height, maxSide, source.Width);
        }
        else
        {
            height = maxSide;
            width = ScaleShortSide(source.Width, maxSide, source.Height);
        }

        return Resize(source, width, height);
    }

    private static int ScaleShortSide(int shortSide, int maxSide, int longSide)
    {
        return Math.Max(1, (int)Math.Round((double)shortSide * maxSide / longSide, MidpointRounding.AwayFromZero));
    }

    /// <summary>Area-averages <paramref name="source"/> down to exactly <paramref name="width"/> × <paramref name="height"/>.</summary>
    internal static RgbaImage Resize(RgbaImage source, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, source.Width);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, source.Height);

        var columns = AreaWeights.For(source.Width, width);
        var rows = AreaWeights.For(source.Height, height);

        // Colour is averaged premultiplied by alpha so transparent pixels do not bleed their
        // (meaningless) colour into the result.
        var horizontal = new float[width * source.Height * 4];
        var src = source.Pixels;
        for (var y = 0; y < source.Height; y++)
        {
            var srcRow = y * source.Width * 4;
            var dstRow = y * width * 4;
            for (var x = 0; x < width; x++)
            {
                float r = 0, g = 0, b = 0, a = 0;
                var first = columns.First[x];
                var weights = columns.WeightsOf(x);
                for (var k = 0; k < weights.Length; k++)
                {
                    var i = srcRow + ((first + k) * 4);
                    var wa = weights[k] * src[i + 3];
                    r += wa * src[i];
                    g += wa * src[i + 1];
                    b += wa * src[i + 2];
                    a += wa;
                }

                var o = dstRow + (x * 4);
                horizontal[o] = r;
                horizontal[o + 1] = g;
                horizontal[o + 2] = b;
                horizontal[o + 3] = a;
            }
        }

        var result = new byte[width * height * 4];
        for (var y = 0; y < height; y++)
        {
            var first = rows.First[y];
            var weights = rows.WeightsOf(y);
            for (var x = 0; x < width; x++)
            {
                float r = 0, g = 0, b = 0, a = 0;
                for (var k = 0; k < weights.Length; k++)
                {
                    var i = (((first + k) * width) + x) * 4;
                    var w = weights[k];
                    r += w * horizontal[i];
                    g += w * horizontal[i + 1];
                    b += w * horizontal[i + 2];
                    a += w * horizontal[i + 3];
                }

                var o = ((y * width) + x) * 4;
                if (a > 0)
                {
                    result[o] = ToByte(r / a);
                    result[o + 1] = ToByte(g / a);
                    result[o + 2] = ToByte(b / a);
                }

                result[o + 3] = ToByte(a);
            }
        }

        return new RgbaImage(width, height, result);
    }

    private static byte ToByte(float value)
    {
        return (byte)Math.Clamp((int)MathF.Round(value, MidpointRounding.AwayFromZero), 0, 255);
    }
}
