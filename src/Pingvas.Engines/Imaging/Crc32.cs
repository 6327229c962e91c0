namespace Pingvas.Engines.Imaging;

/// <summary>
/// CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320) as PNG chunks require it.
/// System.IO.Hashing is not on the package feed, and the table version is only a few lines.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>CRC of <paramref name="data"/> from scratch.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        return Finish(Append(Start, data));
    }

    /// <summary>The register value before any byte has been appended.</summary>
    public const uint Start = 0xFFFFFFFFu;

    /// <summary>Feeds more bytes into a running register (so a chunk's type and data need no joined buffer).</summary>
    public static uint Append(uint register, ReadOnlySpan<byte> data)
    {
        var table = Table;
        foreach (var b in data)
        {
            register = table[(register ^ b) & 0xFF] ^ (register >> 8);
        }

        return register;
    }

    /// <summary>The final CRC for a running register.</summary>
    public static uint Finish(uint register)
    {
        return register ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
