using System.Buffers.Binary;

namespace Pingvas.Engines.Imaging;

/// <summary>What an image file says it is, read from its header alone.</summary>
/// <param name="Format"><c>png</c>, <c>webp</c> or <c>jpeg</c>.</param>
public sealed record ImageInfo(string Format, int Width, int Height)
{
    public string ContentType => $"image/{Format}";
}

/// <summary>Bytes that are not a complete, valid image of the format they start like.</summary>
public sealed class InvalidImageException(string message) : Exception(message);

/// <summary>
/// Reads PNG, WebP and JPEG files: <see cref="Identify"/> from the header (cheap, for checks before
/// decoding), <see cref="Decode"/> completely (libpng, libwebp, libturbojpeg), so a renamed,
/// truncated or corrupt file is refused rather than half-read. The format is sniffed from the
/// bytes, never taken from a file name or a declared content type.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Refuses pictures larger than this before allocating for them (a small file can claim a huge size).</summary>
    public const long DefaultMaxPixels = 64L * 1024 * 1024;

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The format and size the header declares; throws <see cref="InvalidImageException"/> when it is none of ours or unreadable.</summary>
    public static ImageInfo Identify(ReadOnlySpan<byte> data)
    {
        return Sniff(data) switch
        {
            "png" => IdentifyPng(data),
            "jpeg" => IdentifyJpeg(data),
            "webp" => WebPNative.TryGetInfo(data, out var w, out var h) ? new ImageInfo("webp", w, h) : throw new InvalidImageException("Not a valid WebP header."),
            _ => throw new InvalidImageException("Not a PNG, WebP or JPEG file."),
        };
    }

    /// <summary>Decodes the whole file to RGBA; throws <see cref="InvalidImageException"/> unless every byte of it is a valid image.</summary>
    public static RgbaImage Decode(ReadOnlySpan<byte> data, long maxPixels = DefaultMaxPixels)
    {
        var info = Identify(data);
        CheckSize(info.Format, (uint)info.Width, (uint)info.Height, maxPixels);
        return info.Format switch
        {
            "png" => PngNative.Decode(data, maxPixels),
            "jpeg" => JpegNative.Decode(data, maxPixels),
            _ => WebPNative.Decode(data) ?? throw new InvalidImageException("Not a valid WebP file."),
        };
    }

    internal static void CheckSize(string format, uint width, uint height, long maxPixels)
    {
        if (width == 0 || height == 0 || (long)width * height > maxPixels)
        {
            throw new InvalidImageException($"The {format} declares {width}×{height} pixels, more than the {maxPixels} allowed.");
        }
    }

    private static string? Sniff(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith(PngSignature))
        {
            return "png";
        }

        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return "jpeg";
        }

        return data.Length >= 12 && data[..4].SequenceEqual("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8) ? "webp" : null;
    }

    private static ImageInfo IdentifyPng(ReadOnlySpan<byte> data)
    {
        // The signature, then IHDR first: length 13, type, width, height.
        if (data.Length < 24 || !data.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            throw new InvalidImageException("Not a valid PNG header.");
        }

        var width = BinaryPrimitives.ReadUInt32BigEndian(data[16..]);
        var height = BinaryPrimitives.ReadUInt32BigEndian(data[20..]);
        return width is 0 or > int.MaxValue || height is 0 or > int.MaxValue
            ? throw new InvalidImageException("Not a valid PNG header.")
            : new ImageInfo("png", (int)width, (int)height);
    }

    /// <summary>Walks the markers to the first start-of-frame, which holds the size.</summary>
    private static ImageInfo IdentifyJpeg(ReadOnlySpan<byte> data)
    {
        var at = 2;
        while (at + 4 <= data.Length)
        {
            if (data[at] != 0xFF)
            {
                break;
            }

            var marker = data[at + 1];
            if (marker == 0xFF)
            {
                at++; // fill byte
                continue;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 2)..]);
            var isFrame = marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
            if (isFrame && at + 9 <= data.Length)
            {
                int height = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 5)..]);
                int width = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 7)..]);
                return width == 0 || height == 0 ? throw new InvalidImageException("Not a valid JPEG header.") : new ImageInfo("jpeg", width, height);
            }

            if (length < 2)
            {
                break;
            }

            at += 2 + length;
        }

        throw new InvalidImageException("Not a valid JPEG header.");
    }
}
