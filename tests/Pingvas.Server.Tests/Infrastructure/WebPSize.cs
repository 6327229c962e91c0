using System.Buffers.Binary;
using System.Text;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>Reads the canvas size from a WebP file's first chunk (VP8 lossy, VP8L lossless or VP8X extended).</summary>
public static class WebPSize
{
    public static bool IsWebP(byte[] data) =>
        data.Length >= 12 && Ascii(data, 0) == "RIFF" && Ascii(data, 8) == "WEBP";

    public static (int Width, int Height) Read(byte[] data)
    {
        if (!IsWebP(data) || data.Length < 30)
        {
            throw new FormatException("Not a WebP file.");
        }

        var chunk = Ascii(data, 12);
        var payload = data.AsSpan(20);
        switch (chunk)
        {
            case "VP8 ":
                // Frame tag (3 bytes), start code 9d 01 2a, then 14-bit width and height (2 bits of scale each).
                if (payload[3] != 0x9d || payload[4] != 0x01 || payload[5] != 0x2a)
                {
                    throw new FormatException("VP8 chunk without its start code.");
                }

                return (BinaryPrimitives.ReadUInt16LittleEndian(payload[6..]) & 0x3fff,
                        BinaryPrimitives.ReadUInt16LittleEndian(payload[8..]) & 0x3fff);
            case "VP8L":
                // Signature 0x2f, then 14 bits width - 1 and 14 bits height - 1.
                if (payload[0] != 0x2f)
                {
                    throw new FormatException("VP8L chunk without its signature.");
                }

                var bits = BinaryPrimitives.ReadUInt32LittleEndian(payload[1..]);
                return ((int)(bits & 0x3fff) + 1, (int)((bits >> 14) & 0x3fff) + 1);
            case "VP8X":
                // Flags (1 byte), reserved (3), then 24-bit canvas width - 1 and height - 1.
                return (Read24(payload[4..]) + 1, Read24(payload[7..]) + 1);
            default:
                throw new FormatException($"Unknown first WebP chunk '{chunk}'.");
        }
    }

    private static int Read24(ReadOnlySpan<byte> b) => b[0] | (b[1] << 8) | (b[2] << 16);

    private static string Ascii(byte[] data, int offset) => Encoding.ASCII.GetString(data, offset, 4);
}
