using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

using Pingvas.Engines.Imaging;

namespace Pingvas.Engines.Tests;

/// <summary>
/// An independent PNG reader for the tests: walks the chunks, verifies every CRC with a bitwise
/// CRC-32 (not the encoder's table), inflates IDAT and undoes all five filter types.
/// </summary>
internal sealed class PngTestReader
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private PngTestReader(List<(string Type, byte[] Data)> chunks)
    {
        Chunks = chunks;
    }

    public List<(string Type, byte[] Data)> Chunks { get; }

    public byte[] Header => Chunks.Single(c => c.Type == "IHDR").Data;

    public int Width => BinaryPrimitives.ReadInt32BigEndian(Header);

    public int Height => BinaryPrimitives.ReadInt32BigEndian(Header.AsSpan(4));

    public static PngTestReader Read(byte[] png)
    {
        Assert.True(png.AsSpan(0, 8).SequenceEqual(Signature), "PNG signature");
        var chunks = new List<(string, byte[])>();
        var offset = 8;
        while (offset < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            var typeAndData = png.AsSpan(offset + 4, 4 + length);
            var storedCrc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + length));
            var type = Encoding.ASCII.GetString(typeAndData[..4]);
            Assert.True(BitwiseCrc32(typeAndData) == storedCrc, $"CRC of chunk {type}");
            chunks.Add((type, typeAndData[4..].ToArray()));
            offset += 12 + length;
        }

        Assert.Equal(png.Length, offset);
        return new PngTestReader(chunks);
    }

    /// <summary>The filter type byte of every scanline, in order.</summary>
    public byte[] FilterTypes()
    {
        var raw = Inflate();
        var stride = (Width * 4) + 1;
        return Enumerable.Range(0, Height).Select(y => raw[y * stride]).ToArray();
    }

    public RgbaImage DecodePixels()
    {
        Assert.Equal(new byte[] { 8, 6, 0, 0, 0 }, Header[8..13]);
        var raw = Inflate();
        var rowBytes = Width * 4;
        Assert.Equal((rowBytes + 1) * Height, raw.Length);

        var pixels = new byte[rowBytes * Height];
        for (var y = 0; y < Height; y++)
        {
            var filter = raw[y * (rowBytes + 1)];
            var src = raw.AsSpan((y * (rowBytes + 1)) + 1, rowBytes);
            var row = pixels.AsSpan(y * rowBytes, rowBytes);
            var up = y == 0 ? new byte[rowBytes] : pixels.AsSpan((y - 1) * rowBytes, rowBytes);
            for (var i = 0; i < rowBytes; i++)
            {
                int a = i >= 4 ? row[i - 4] : 0, b = up[i], c = i >= 4 ? up[i - 4] : 0;
                var predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"filter {filter}"),
                };
                row[i] = (byte)(src[i] + predictor);
            }
        }

        return new RgbaImage(Width, Height, pixels);
    }

    /// <summary>Text chunks as keyword → (chunk type, decoded value).</summary>
    public Dictionary<string, (string Type, string Value)> TextChunks()
    {
        var result = new Dictionary<string, (string, string)>();
        foreach (var (type, data) in Chunks.Where(c => c.Type is "tEXt" or "iTXt"))
        {
            var nul = Array.IndexOf(data, (byte)0);
            var keyword = Encoding.Latin1.GetString(data, 0, nul);
            if (type == "tEXt")
            {
                result[keyword] = (type, Encoding.Latin1.GetString(data, nul + 1, data.Length - nul - 1));
                continue;
            }

            Assert.Equal(0, data[nul + 1]); // not compressed
            Assert.Equal(0, data[nul + 2]); // compression method
            var languageEnd = Array.IndexOf(data, (byte)0, nul + 3);
            var translatedEnd = Array.IndexOf(data, (byte)0, languageEnd + 1);
            result[keyword] = (type, Encoding.UTF8.GetString(data, translatedEnd + 1, data.Length - translatedEnd - 1));
        }

        return result;
    }

    private byte[] Inflate()
    {
        var idat = Chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray();
        using var input = new ZLibStream(new MemoryStream(idat), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    internal static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
            }
        }

        return ~crc;
    }
}
