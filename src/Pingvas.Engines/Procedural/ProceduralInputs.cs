using Pingvas.Engines.Imaging;

namespace Pingvas.Engines.Procedural;

/// <summary>Decodes a job's input images at the job's output size, and reads a mask as repaint / keep per pixel.</summary>
internal static class ProceduralInputs
{
    /// <summary>The image decoded and, if its size differs, resampled to <paramref name="width"/> × <paramref name="height"/>.</summary>
    public static RgbaImage Decode(EngineInputImage input, int width, int height)
    {
        var image = ImageDecoder.Decode(input.Bytes);
        return image.Width == width && image.Height == height ? image : Resample(image, width, height);
    }

    /// <summary>True where the mask says repaint: opaque and at least half bright (EngineJob.Mask).</summary>
    public static bool[] Repaint(RgbaImage mask)
    {
        var p = mask.Pixels;
        var repaint = new bool[mask.Width * mask.Height];
        for (var i = 0; i < repaint.Length; i++)
        {
            var o = i * 4;

            // Rec. 601 luma in integers: 299 + 587 + 114 = 1000.
            var luma = ((299 * p[o]) + (587 * p[o + 1]) + (114 * p[o + 2])) / 1000;
            repaint[i] = p[o + 3] >= 128 && luma >= 128;
        }

        return repaint;
    }

    /// <summary>
    /// Exact-size resampling: area averaging when both sides shrink (no aliasing), bilinear
    /// interpolation otherwise (an upscale, or one side growing).
    /// </summary>
    public static RgbaImage Resample(RgbaImage source, int width, int height)
    {
        if (width <= source.Width && height <= source.Height)
        {
            return ImageResizer.Resize(source, width, height);
        }

        var result = new byte[width * height * 4];
        var src = source.Pixels;
        var scaleX = (double)source.Width / width;
        var scaleY = (double)source.Height / height;
        for (var y = 0; y < height; y++)
        {
            // Pixel centres map to pixel centres; the edges clamp.
            var sy = Math.Clamp(((y + 0.5) * scaleY) - 0.5, 0, source.Height - 1);
            var y0 = (int)sy;
            var y1 = Math.Min(y0 + 1, source.Height - 1);
            var fy = sy - y0;
            for (var x = 0; x < width; x++)
            {
                var sx = Math.Clamp(((x + 0.5) * scaleX) - 0.5, 0, source.Width - 1);
                var x0 = (int)sx;
                var x1 = Math.Min(x0 + 1, source.Width - 1);
                var fx = sx - x0;
                var o = ((y * width) + x) * 4;
                for (var c = 0; c < 4; c++)
                {
                    var top = (src[((y0 * source.Width) + x0) * 4 + c] * (1 - fx)) + (src[((y0 * source.Width) + x1) * 4 + c] * fx);
                    var bottom = (src[((y1 * source.Width) + x0) * 4 + c] * (1 - fx)) + (src[((y1 * source.Width) + x1) * 4 + c] * fx);
                    result[o + c] = (byte)Math.Clamp((int)Math.Round((top * (1 - fy)) + (bottom * fy), MidpointRounding.AwayFromZero), 0, 255);
                }
            }
        }

        return new RgbaImage(width, height, result);
    }
}
