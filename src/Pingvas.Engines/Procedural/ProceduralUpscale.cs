using Pingvas.Engines.Imaging;

namespace Pingvas.Engines.Procedural;

/// <summary>
/// Upscale on the procedural engine: the source resampled to the output size, then detail added
/// step by step — an unsharp mask (the image minus its 3×3 blur) that restores edges the
/// interpolation softened, plus a faint grain seeded by the job, so the same job and seed give the same pixels.
/// </summary>
internal sealed class ProceduralUpscale
{
    private const float Sharpen = 0.8f;
    private const float Grain = 3f;

    private readonly RgbaImage _base;
    private readonly float[] _detail;

    public ProceduralUpscale(RgbaImage source, int width, int height, long seed)
    {
        _base = ProceduralInputs.Resample(source, width, height);
        _detail = new float[width * height * 3];
        var p = _base.Pixels;
        var mix = SplitMix64.Mix((ulong)seed ^ 0x7570736361UL);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var grain = ((SplitMix64.Mix(mix + (ulong)((y * width) + x)) >> 40) * (1f / (1 << 24)) * 2f) - 1f;
                for (var c = 0; c < 3; c++)
                {
                    float sum = 0;
                    for (var dy = -1; dy <= 1; dy++)
                    {
                        var yy = Math.Clamp(y + dy, 0, height - 1);
                        for (var dx = -1; dx <= 1; dx++)
                        {
                            var xx = Math.Clamp(x + dx, 0, width - 1);
                            sum += p[(((yy * width) + xx) * 4) + c];
                        }
                    }

                    var i = (y * width) + x;
                    _detail[(i * 3) + c] = ((p[(i * 4) + c] - (sum / 9f)) * Sharpen) + (grain * Grain);
                }
            }
        }
    }

    /// <summary>The image after <paramref name="step"/> of <paramref name="steps"/>: the full detail at the last step.</summary>
    public RgbaImage At(int step, int steps)
    {
        var weight = (float)step / steps;
        var p = _base.Pixels;
        var result = new byte[p.Length];
        for (var i = 0; i < _detail.Length / 3; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                result[(i * 4) + c] = (byte)Math.Clamp((int)MathF.Round(p[(i * 4) + c] + (_detail[(i * 3) + c] * weight), MidpointRounding.AwayFromZero), 0, 255);
            }

            result[(i * 4) + 3] = p[(i * 4) + 3];
        }

        return new RgbaImage(_base.Width, _base.Height, result);
    }
}
