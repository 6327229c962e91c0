namespace Pingvas.Engines.Imaging;

/// <summary>
/// Lossy WebP encoding through Debian's libwebp (package <c>libwebp7</c>) — used for previews and
/// thumbnails, where a managed encoder would be far slower and larger.
/// </summary>
public static class WebPEncoder
{
    /// <summary>libwebp's limit for either side of the canvas.</summary>
    public const int MaxDimension = 16383;

    /// <summary>
    /// Encodes <paramref name="image"/> with <c>WebPEncodeRGBA</c>; <paramref name="quality"/> is 0 (smallest) to 100 (best).
    /// Throws <see cref="InvalidOperationException"/> naming the Debian package when libwebp is not installed.
    /// </summary>
    public static unsafe byte[] Encode(RgbaImage image, float quality = 80)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (float.IsNaN(quality) || quality < 0 || quality > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(quality), quality, "WebP quality must be between 0 and 100.");
        }

        if (image.Width > MaxDimension || image.Height > MaxDimension)
        {
            throw new ArgumentException($"WebP images can be at most {MaxDimension} px on a side.", nameof(image));
        }

        NativeLibraries.EnsureWebP();

        byte* output = null;
        nuint size;
        fixed (byte* rgba = image.Pixels)
        {
            size = WebPNative.WebPEncodeRGBA(rgba, image.Width, image.Height, image.Width * 4, quality, &output);
        }

        try
        {
            if (size == 0 || output == null)
            {
                throw new InvalidOperationException(
                    $"libwebp failed to encode a {image.Width}x{image.Height} image (WebPEncodeRGBA returned 0).");
            }

            return new ReadOnlySpan<byte>(output, checked((int)size)).ToArray();
        }
        finally
        {
            if (output != null)
            {
                WebPNative.WebPFree(output);
            }
        }
    }
}
