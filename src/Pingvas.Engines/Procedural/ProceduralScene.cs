namespace Pingvas.Engines.Procedural;

/// <summary>
/// The composition of one image, fully determined by the job and the image's seed: a palette,
/// a background gradient, a domain-warped noise flow field split into coarse-to-fine layers and
/// a few lit shapes. Layers are applied in order into a float RGB buffer, one row at a time, so
/// rows can be rendered in parallel without changing a single bit of the result.
/// Coordinates are in units of the long side, so the same job at another size keeps its layout.
/// </summary>
internal sealed partial class ProceduralScene
{
    private readonly int _width;
    private readonly float _invLongSide;
    private readonly GradientNoise _noise;
    private readonly float[] _palette;
    private readonly float _gradientX;
    private readonly float _gradientY;
    private readonly float _centerU;
    private readonly float _centerV;
    private readonly float _warpFrequency;
    private readonly float _warpStrength;
    private readonly float _warpOffset;
    private readonly Octave[] _octaves;
    private readonly Shape[] _shapes;
    private readonly int _shapesLayer;
    private readonly float _contrast;
    private readonly float _saturation;
    private readonly float _vignetteScale;

    public ProceduralScene(ProceduralStyle style, int width, int height, ulong contentHash, long seed, float? avoidHue, float? hintHue, bool dark)
    {
        _width = width;
        var longSide = Math.Max(width, height);
        _invLongSide = 1f / longSide;
        _centerU = 0.5f * width / longSide;
        _centerV = 0.5f * height / longSide;
        _vignetteScale = 1f / ((_centerU * _centerU) + (_centerV * _centerV));
        _contrast = style.Contrast;
        _saturation = style.Saturation;

        var rng = new SplitMix64(SplitMix64.Mix(contentHash ^ SplitMix64.Mix((ulong)seed)));
        _noise = new GradientNoise(rng.NextUInt64());
        _palette = Palette.Create(ref rng, hintHue, dark, avoidHue);

        // A random unit direction for the background gradient (normalised, no trigonometry).
        var gx = rng.Range(-1f, 1f);
        var gy = rng.Range(0.3f, 1f);
        var length = MathF.Sqrt((gx * gx) + (gy * gy));
        _gradientX = gx / length;
        _gradientY = gy / length;

        _warpFrequency = rng.Range(1.2f, 2.6f);
        _warpStrength = style.WarpStrength * rng.Range(0.6f, 1.3f);
        _warpOffset = rng.Range(0f, 200f);

        _octaves = CreateOctaves(style, ref rng);
        _shapes = CreateShapes(style, ref rng, width / (float)longSide, height / (float)longSide);

        // Shapes enter after the two coarsest octaves: the big structure first, detail on top.
        _shapesLayer = 1 + Math.Min(2, _octaves.Length);
    }

    /// <summary>Background + every octave + the shapes layer.</summary>
    public int LayerCount => _octaves.Length + 2;

    /// <summary>Applies layer <paramref name="layer"/> to row <paramref name="y"/> (3 floats per pixel in accum, 2 in warp).</summary>
    public void ApplyLayer(int layer, int y, Span<float> accum, Span<float> warp)
    {
        if (layer == 0)
        {
            ApplyBackground(y, accum, warp);
        }
        else if (layer == _shapesLayer)
        {
            ApplyShapes(y, accum, warp);
        }
        else
        {
            ApplyOctave(_octaves[layer < _shapesLayer ? layer - 1 : layer - 2], y, accum, warp);
        }
    }

    private void ApplyBackground(int y, Span<float> accum, Span<float> warp)
    {
        var v = (y + 0.5f) * _invLongSide;
        var p = _palette;
        for (var x = 0; x < _width; x++)
        {
            var u = (x + 0.5f) * _invLongSide;

            // The warp field bends every later layer into flowing shapes; computed once, stored.
            var wx = _noise.Sample((u * _warpFrequency) + _warpOffset, v * _warpFrequency) * _warpStrength;
            var wy = _noise.Sample(u * _warpFrequency, (v * _warpFrequency) + _warpOffset) * _warpStrength;
            warp[x * 2] = wx;
            warp[(x * 2) + 1] = wy;

            var t = SmoothStep(((u - _centerU + wx) * _gradientX) + ((v - _centerV + wy) * _gradientY) + 0.5f);
            var i = x * 3;
            accum[i] = p[0] + (t * (p[3] - p[0]));
            accum[i + 1] = p[1] + (t * (p[4] - p[1]));
            accum[i + 2] = p[2] + (t * (p[5] - p[2]));
        }
    }

    private void ApplyOctave(in Octave octave, int y, Span<float> accum, ReadOnlySpan<float> warp)
    {
        var v = (y + 0.5f) * _invLongSide;
        for (var x = 0; x < _width; x++)
        {
            var u = (x + 0.5f) * _invLongSide;
            var wu = u + warp[x * 2];
            var wv = v + warp[(x * 2) + 1];
            var n = _noise.Sample(
                (wu * octave.Cos) - (wv * octave.Sin) + octave.OffsetX,
                (wu * octave.Sin) + (wv * octave.Cos) + octave.OffsetY);
            if (octave.Ridged)
            {
                // Ridges: sharp bright veins where the noise crosses zero.
                n = 0.6f - (2f * MathF.Abs(n));
            }

            var a = n * octave.Amplitude;
            var i = x * 3;
            accum[i] += a * octave.R;
            accum[i + 1] += a * octave.G;
            accum[i + 2] += a * octave.B;
        }
    }

    private void ApplyShapes(int y, Span<float> accum, ReadOnlySpan<float> warp)
    {
        var v = (y + 0.5f) * _invLongSide;
        for (var x = 0; x < _width; x++)
        {
            var u = (x + 0.5f) * _invLongSide;
            var su = u + (0.3f * warp[x * 2]);
            var sv = v + (0.3f * warp[(x * 2) + 1]);
            var i = x * 3;
            foreach (ref readonly var shape in _shapes.AsSpan())
            {
                var dx = su - shape.CenterX;
                var dy = sv - shape.CenterY;
                var distance = MathF.Sqrt((dx * dx) + (dy * dy));
                var mask = shape.Ring
                    ? 1f - SmoothStep(MathF.Abs(distance - shape.Radius) / (shape.Radius * shape.Softness * 0.5f))
                    : 1f - SmoothStep((distance - (shape.Radius * (1f - shape.Softness))) / (shape.Radius * shape.Softness));
                if (mask <= 0f)
                {
                    continue;
                }

                // Lit from the top left: brighter towards the light, darker away from it.
                var light = Math.Clamp(-(dx + dy) * 0.7071f / shape.Radius, -1f, 1f);
                var shade = 0.8f + (0.35f * light);
                var alpha = shape.Alpha * mask;
                accum[i] += alpha * ((shape.R * shade) - accum[i]);
                accum[i + 1] += alpha * ((shape.G * shade) - accum[i + 1]);
                accum[i + 2] += alpha * ((shape.B * shade) - accum[i + 2]);
            }
        }
    }

    /// <summary>Cubic smoothstep of <paramref name="t"/> clamped to [0, 1].</summary>
    private static float SmoothStep(float t)
    {
        t = Math.Clamp(t, 0f, 1f);
        return t * t * (3f - (2f * t));
    }
}
