using Pingvas.Engines.Imaging;

namespace Pingvas.Engines.Tests;

/// <summary>Small synthetic images for encoder and resizer tests.</summary>
internal static class TestImages
{
    /// <summary>Every byte (alpha included) pseudo-random from a fixed seed.</summary>
    public static RgbaImage Noise(int width, int height, int seed)
    {
        var pixels = new byte[width * height * 4];
        new Random(seed).NextBytes(pixels);
        return new RgbaImage(width, height, pixels);
    }

    public static RgbaImage Filled(int width, int height, byte r, byte g, byte b, byte a = 255)
    {
        var image = new RgbaImage(width, height);
        for (var i = 0; i < image.Pixels.Length; i += 4)
        {
            image.Pixels[i] = r;
            image.Pixels[i + 1] = g;
            image.Pixels[i + 2] = b;
            image.Pixels[i + 3] = a;
        }

        return image;
    }

    /// <summary>Smooth gradients: red grows to the right, green downwards, blue diagonally.</summary>
    public static RgbaImage Gradient(int width, int height)
    {
        var image = new RgbaImage(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = ((y * width) + x) * 4;
                image.Pixels[i] = (byte)(x * 255 / Math.Max(1, width - 1));
                image.Pixels[i + 1] = (byte)(y * 255 / Math.Max(1, height - 1));
                image.Pixels[i + 2] = (byte)((x + y) * 255 / Math.Max(1, width + height - 2));
                image.Pixels[i + 3] = 255;
            }
        }

        return image;
    }

    public static double MeanAbsDifference(RgbaImage a, RgbaImage b)
    {
        Assert.Equal(a.Width, b.Width);
        Assert.Equal(a.Height, b.Height);
        long sum = 0;
        for (var i = 0; i < a.Pixels.Length; i++)
        {
            sum += Math.Abs(a.Pixels[i] - b.Pixels[i]);
        }

        return (double)sum / a.Pixels.Length;
    }
}
