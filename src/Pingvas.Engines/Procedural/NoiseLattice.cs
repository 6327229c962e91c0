using System.Runtime.CompilerServices;

namespace Pingvas.Engines.Procedural;

/// <summary>
/// The "latent" noise laid over unfinished steps: one random RGB value per lattice point,
/// bilinearly interpolated. At most 128 cells span the long side (like a diffusion latent that
/// is 1/8 of a 1024 px image), so the noise stays visible in a downscaled preview.
/// </summary>
internal sealed class NoiseLattice
{
    private const int MaxCells = 128;

    private readonly int _pointsX;
    private readonly float[] _values;
    private readonly int[] _columnIndex;
    private readonly float[] _columnFraction;
    private readonly int[] _rowIndex;
    private readonly float[] _rowFraction;

    public NoiseLattice(int width, int height)
    {
        var longSide = Math.Max(width, height);
        var cellSize = (float)longSide / Math.Min(longSide, MaxCells);
        _pointsX = (int)MathF.Ceiling(width / cellSize) + 2;
        var pointsY = (int)MathF.Ceiling(height / cellSize) + 2;
        _values = new float[_pointsX * pointsY * 3];
        (_columnIndex, _columnFraction) = Coordinates(width, cellSize);
        (_rowIndex, _rowFraction) = Coordinates(height, cellSize);
    }

    /// <summary>Fills every lattice point with triangular noise in (-1, 1) (sum of two uniforms), seeded.</summary>
    public void Fill(ulong seed)
    {
        for (var i = 0; i < _values.Length; i++)
        {
            var bits = SplitMix64.Mix(seed + ((ulong)i * 0x9E3779B97F4A7C15UL));
            var a = (bits & 0xFFFFFF) * (1f / (1 << 24));
            var b = ((bits >> 24) & 0xFFFFFF) * (1f / (1 << 24));
            _values[i] = a + b - 1f;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Sample(int x, int y, out float r, out float g, out float b)
    {
        var ix = _columnIndex[x];
        var fx = _columnFraction[x];
        var iy = _rowIndex[y];
        var fy = _rowFraction[y];
        var i00 = ((iy * _pointsX) + ix) * 3;
        var i01 = i00 + (_pointsX * 3);
        var v = _values;
        r = Bilinear(v[i00], v[i00 + 3], v[i01], v[i01 + 3], fx, fy);
        g = Bilinear(v[i00 + 1], v[i00 + 4], v[i01 + 1], v[i01 + 4], fx, fy);
        b = Bilinear(v[i00 + 2], v[i00 + 5], v[i01 + 2], v[i01 + 5], fx, fy);
    }

    private static float Bilinear(float v00, float v10, float v01, float v11, float fx, float fy)
    {
        var top = v00 + (fx * (v10 - v00));
        var bottom = v01 + (fx * (v11 - v01));
        return top + (fy * (bottom - top));
    }

    private static (int[] Index, float[] Fraction) Coordinates(int length, float cellSize)
    {
        var index = new int[length];
        var fraction = new float[length];
        for (var p = 0; p < length; p++)
        {
            var g = Math.Max(0f, ((p + 0.5f) / cellSize) - 0.5f);
            var i = (int)MathF.Floor(g);
            index[p] = i;
            fraction[p] = g - i;
        }

        return (index, fraction);
    }
}
