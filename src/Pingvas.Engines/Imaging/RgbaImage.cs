namespace Pingvas.Engines.Imaging;

/// <summary>An 8-bit RGBA bitmap, rows top to bottom, 4 bytes per pixel, no padding.</summary>
public sealed class RgbaImage
{
    public RgbaImage(int width, int height, byte[]? pixels = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        pixels ??= new byte[checked(width * height * 4)];
        if (pixels.Length != width * height * 4)
        {
            throw new ArgumentException("Pixel buffer size does not match width × height × 4.", nameof(pixels));
        }

        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    public byte[] Pixels { get; }
}
