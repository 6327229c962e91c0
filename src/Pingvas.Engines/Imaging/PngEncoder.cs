using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Pingvas.Engines.Imaging;

/// <summary>
/// A managed PNG writer for <see cref="RgbaImage"/>: 8-bit RGBA (colour type 6), non-interlaced,
/// adaptive per-row filtering, zlib-compressed IDAT, optional text metadata.
/// </summary>
public static class PngEncoder
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// Encodes <paramref name="image"/> as PNG. Each entry of <paramref name="textChunks"/> becomes a
    /// <c>tEXt</c> chunk when its value is Latin-1, otherwise an <c>iTXt</c> chunk in UTF-8 (e.g. Korean prompts).
    /// Keywords must be 1–79 printable Latin-1 characters; values must not contain NUL.
    /// </summary>
    public static byte[] Encode(RgbaImage image, IReadOnlyDictionary<string, string>? textChunks = null)
    {
        ArgumentNullException.ThrowIfNull(image);

        using var output = new MemoryStream();
        output.Write(Signature);
        WriteChunk(output, "IHDR", BuildHeader(image));

        if (textChunks is not null)
        {
            // Ordinal order keeps the output byte-identical no matter how the dictionary was built.
            foreach (var (keyword, value) in textChunks.OrderBy(static p => p.Key, StringComparer.Ordinal))
            {
                var (type, data) = BuildTextChunk(keyword, value);
                WriteChunk(output, type, data);
            }
        }

        WriteChunk(output, "IDAT", CompressScanlines(image));
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    private static byte[] BuildHeader(RgbaImage image)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(0), image.Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), image.Height);
        header[8] = 8; // bit depth
        header[9] = 6; // colour type: truecolour with alpha
        header[10] = 0; // compression: deflate
        header[11] = 0; // filter method: adaptive
        header[12] = 0; // interlace: none
        return header;
    }

    private static byte[] CompressScanlines(RgbaImage image)
    {
        var rowBytes = image.Width * 4;
        var filter = new PngRowFilter(rowBytes);
        var zeroRow = new byte[rowBytes];
        var pixels = image.Pixels.AsSpan();

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (var y = 0; y < image.Height; y++)
            {
                var row = pixels.Slice(y * rowBytes, rowBytes);
                var previous = y == 0 ? zeroRow : pixels.Slice((y - 1) * rowBytes, rowBytes);
                filter.WriteFiltered(row, previous, zlib);
            }
        }

        return compressed.ToArray();
    }

    private static (string Type, byte[] Data) BuildTextChunk(string keyword, string value)
    {
        ValidateKeyword(keyword);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0'))
        {
            throw new ArgumentException($"PNG text value for '{keyword}' must not contain NUL characters.", nameof(value));
        }

        var keywordBytes = Encoding.Latin1.GetBytes(keyword);
        if (IsLatin1(value))
        {
            // tEXt: keyword, NUL, Latin-1 text.
            return ("tEXt", [.. keywordBytes, 0, .. Encoding.Latin1.GetBytes(value)]);
        }

        // iTXt: keyword, NUL, compression flag 0, method 0, empty language tag + NUL,
        // empty translated keyword + NUL, then the UTF-8 text.
        return ("iTXt", [.. keywordBytes, 0, 0, 0, 0, 0, .. Encoding.UTF8.GetBytes(value)]);
    }

    private static void ValidateKeyword(string keyword)
    {
        ArgumentNullException.ThrowIfNull(keyword);
        var valid = keyword.Length is >= 1 and <= 79
            && keyword[0] != ' '
            && keyword[^1] != ' '
            && !keyword.Contains("  ", StringComparison.Ordinal)
            && keyword.All(static c => c is (>= ' ' and <= '~') or (>= '\u00A1' and <= '\u00FF'));
        if (!valid)
        {
            throw new ArgumentException(
                $"PNG text keyword '{keyword}' must be 1-79 printable Latin-1 characters without leading, trailing or double spaces.",
                nameof(keyword));
        }
    }

    private static bool IsLatin1(string value)
    {
        foreach (var c in value)
        {
            if (c > '\u00FF')
            {
                return false;
            }
        }

        return true;
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buffer, data.Length);
        output.Write(buffer);

        Span<byte> typeBytes = stackalloc byte[4];
        Encoding.ASCII.GetBytes(type, typeBytes);
        output.Write(typeBytes);
        output.Write(data);

        // The CRC covers the chunk type and data, not the length.
        var crc = Crc32.Finish(Crc32.Append(Crc32.Append(Crc32.Start, typeBytes), data));
        BinaryPrimitives.WriteUInt32BigEndian(buffer, crc);
        output.Write(buffer);
    }
}
