namespace Pingvas.Engines.Imaging;

/// <summary>
/// PNG scanline filtering for 4-byte pixels. Every row gets the filter whose output has the
/// smallest sum of absolute (signed) bytes — the heuristic libpng recommends, because small
/// residuals are what deflate compresses best.
/// </summary>
internal sealed class PngRowFilter
{
    private const int BytesPerPixel = 4;

    // One scratch row per filter type 0..4 (None, Sub, Up, Average, Paeth), reused for every row.
    private readonly byte[][] _candidates;

    public PngRowFilter(int rowBytes)
    {
        _candidates = new byte[5][];
        for (var i = 0; i < _candidates.Length; i++)
        {
            _candidates[i] = new byte[rowBytes];
        }
    }

    /// <summary>
    /// Filters <paramref name="row"/> against <paramref name="previous"/> (all zeros for the first row)
    /// and writes the filter type byte followed by the filtered bytes to <paramref name="output"/>.
    /// </summary>
    public void WriteFiltered(ReadOnlySpan<byte> row, ReadOnlySpan<byte> previous, Stream output)
    {
        var best = 0;
        var bestScore = long.MaxValue;
        for (var type = 0; type < _candidates.Length; type++)
        {
            var candidate = _candidates[type].AsSpan();
            Apply(type, row, previous, candidate);
            var score = Score(candidate);
            if (score < bestScore)
            {
                bestScore = score;
                best = type;
            }
        }

        output.WriteByte((byte)best);
        output.Write(_candidates[best]);
    }

    private static void Apply(int type, ReadOnlySpan<byte> row, ReadOnlySpan<byte> up, Span<byte> dst)
    {
        switch (type)
        {
            case 0:
                row.CopyTo(dst);
                break;
            case 1:
                for (var i = 0; i < row.Length; i++)
                {
                    var left = i >= BytesPerPixel ? row[i - BytesPerPixel] : 0;
                    dst[i] = (byte)(row[i] - left);
                }

                break;
            case 2:
                for (var i = 0; i < row.Length; i++)
                {
                    dst[i] = (byte)(row[i] - up[i]);
                }

                break;
            case 3:
                for (var i = 0; i < row.Length; i++)
                {
                    var left = i >= BytesPerPixel ? row[i - BytesPerPixel] : 0;
                    dst[i] = (byte)(row[i] - ((left + up[i]) >> 1));
                }

                break;
            default:
                for (var i = 0; i < row.Length; i++)
                {
                    int left = 0, upLeft = 0;
                    if (i >= BytesPerPixel)
                    {
                        left = row[i - BytesPerPixel];
                        upLeft = up[i - BytesPerPixel];
                    }

                    dst[i] = (byte)(row[i] - Paeth(left, up[i], upLeft));
                }

                break;
        }
    }

    /// <summary>The Paeth predictor exactly as the PNG specification defines it (tie order matters).</summary>
    internal static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        var pa = Math.Abs(p - a);
        var pb = Math.Abs(p - b);
        var pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc)
        {
            return a;
        }

        return pb <= pc ? b : c;
    }

    private static long Score(ReadOnlySpan<byte> filtered)
    {
        long sum = 0;
        foreach (var b in filtered)
        {
            // Widen first: Math.Abs(sbyte.MinValue) would overflow.
            int signed = (sbyte)b;
            sum += signed < 0 ? -signed : signed;
        }

        return sum;
    }
}
