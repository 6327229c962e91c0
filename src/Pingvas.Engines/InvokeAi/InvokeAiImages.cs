using Pingvas.Engines.Imaging;

namespace Pingvas.Engines.InvokeAi;

/// <summary>Image conversions between our conventions and the node's.</summary>
public static class InvokeAiImages
{
    public const int PreviewMaxSide = 128;

    /// <summary>
    /// Our mask marks the area to repaint in white (luminance at least half, on opaque pixels);
    /// InvokeAI's Canvas masks mark it in black and keep white (create_gradient_mask inverts them).
    /// Returns a PNG in InvokeAI's polarity.
    /// </summary>
    public static byte[] ToInvokeAiMask(EngineInputImage mask)
    {
        var source = ImageDecoder.Decode(mask.Bytes);
        var inverted = new RgbaImage(source.Width, source.Height);
        var from = source.Pixels;
        var to = inverted.Pixels;
        for (var i = 0; i < from.Length; i += 4)
        {
            var luminance = (299 * from[i] + 587 * from[i + 1] + 114 * from[i + 2]) / 1000;
            var repaint = from[i + 3] >= 128 && luminance >= 128;
            var value = repaint ? (byte)0 : (byte)255;
            to[i] = value;
            to[i + 1] = value;
            to[i + 2] = value;
            to[i + 3] = 255;
        }
        return PngEncoder.Encode(inverted);
    }

    /// <summary>The node's latent preview (a JPEG data URL) as our preview: a WebP at most 128 px on its long side. Null when unreadable.</summary>
    public static byte[]? PreviewFromDataUrl(string dataUrl)
    {
        var comma = dataUrl.IndexOf(',', StringComparison.Ordinal);
        if (!dataUrl.StartsWith("data:", StringComparison.Ordinal) || comma < 0 || !dataUrl.AsSpan(0, comma).EndsWith(";base64", StringComparison.Ordinal))
        {
            return null;
        }
        try
        {
            var bytes = Convert.FromBase64String(dataUrl[(comma + 1)..]);
            var image = ImageDecoder.Decode(bytes, maxPixels: 4L * 1024 * 1024);
            return WebPEncoder.Encode(ImageResizer.Fit(image, PreviewMaxSide));
        }
        catch (Exception ex) when (ex is FormatException or InvalidImageException)
        {
            return null;
        }
    }
}
