namespace Pingvas.Engines.Imaging;

/// <summary>
/// For one axis of an area-averaging downscale: which source pixels each output pixel covers
/// and by how much. Output pixel i spans source interval [i·r, (i+1)·r) with r = source / target;
/// partially covered source pixels count by the covered fraction. Weights of a pixel sum to 1.
/// </summary>
internal sealed class AreaWeights
{
    private readonly float[] _weights;
    private readonly int _stride;
    private readonly int[] _counts;

    private AreaWeights(int[] first, int[] counts, float[] weights, int stride)
    {
        First = first;
        _counts = counts;
        _weights = weights;
        _stride = stride;
    }

    /// <summary>Index of the first source pixel each output pixel covers.</summary>
    public int[] First { get; }

    public ReadOnlySpan<float> WeightsOf(int target)
    {
        return _weights.AsSpan(target * _stride, _counts[target]);
    }

    public static AreaWeights For(int sourceLength, int targetLength)
    {
        var ratio = (double)sourceLength / targetLength;
        var stride = (int)Math.Ceiling(ratio) + 1;
        var first = new int[targetLength];
        var counts = new int[targetLength];
        var weights = new float[targetLength * stride];

        for (var i = 0; i < targetLength; i++)
        {
            var start = i * ratio;
            var end = Math.Min(sourceLength, (i + 1) * ratio);
            var j0 = (int)Math.Floor(start);
            var j1 = Math.Min(sourceLength, (int)Math.Ceiling(end));
            first[i] = j0;

            var count = 0;
            for (var j = j0; j < j1; j++)
            {
                var covered = Math.Min(end, j + 1) - Math.Max(start, j);
                if (covered <= 1e-9)
                {
                    // Floating-point rounding can leave a zero-width sliver at either edge of the
                    // interval; drop it, moving First past it when it is the leading one.
                    if (count == 0)
                    {
                        first[i] = j + 1;
                    }

                    continue;
                }

                weights[(i * stride) + count] = (float)(covered / ratio);
                count++;
            }

            counts[i] = count;
        }

        return new AreaWeights(first, counts, weights, stride);
    }
}
