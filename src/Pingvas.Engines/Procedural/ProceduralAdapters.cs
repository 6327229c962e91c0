using Pingvas.Engines.Imaging;

namespace Pingvas.Engines.Procedural;

/// <summary>
/// LoRAs, ControlNets and the IP-Adapter reference on the procedural engine, applied to each step's
/// render so previews show them too. Each is visible and deterministic, and a weight of 0 changes
/// nothing: a LoRA rotates the hue and tints toward a colour, both from a hash of its id and scaled
/// by its weight; a control image blends its structure (edges, or luminance for depth) in by its
/// weight over the part of the run between its begin and end percents; a reference pulls each
/// channel's mean and spread toward its own.
/// </summary>
internal sealed class ProceduralAdapters
{
    private readonly LoraShift[] _loras;
    private readonly ControlMap[] _controls;
    private readonly ColourStats? _reference;
    private readonly double _referenceWeight;

    private ProceduralAdapters(LoraShift[] loras, ControlMap[] controls, ColourStats? reference, double referenceWeight)
    {
        _loras = loras;
        _controls = controls;
        _reference = reference;
        _referenceWeight = referenceWeight;
    }

    /// <summary>Null when the job uses none (the render is then untouched, byte for byte).</summary>
    public static ProceduralAdapters? For(EngineJob job)
    {
        var loras = job.Loras.Where(l => l.Weight != 0).Select(l => LoraShift.For(l.Id, l.Weight)).ToArray();
        var controls = job.Controls.Where(c => c.Weight != 0 && c.EndPercent > c.BeginPercent)
            .Select(c => ControlMap.For(c, job.Width, job.Height)).ToArray();
        var reference = job.Reference is { Weight: > 0 } r
            ? ColourStats.Of(ProceduralInputs.Decode(r.Image, Math.Min(r.Image.Width, 256), Math.Min(r.Image.Height, 256)))
            : null;
        return loras.Length == 0 && controls.Length == 0 && reference is null
            ? null
            : new ProceduralAdapters(loras, controls, reference, Math.Min(job.Reference?.Weight ?? 0, 1));
    }

    /// <summary>A new image: <paramref name="render"/> (left as it is) with the adapters applied as of this step.</summary>
    public RgbaImage Apply(RgbaImage render, int step, int steps)
    {
        var pixels = (byte[])render.Pixels.Clone();
        var progress = (double)step / steps;
        var rgb = new float[3];
        var count = render.Width * render.Height;
        for (var i = 0; i < count; i++)
        {
            var o = i * 4;
            rgb[0] = pixels[o];
            rgb[1] = pixels[o + 1];
            rgb[2] = pixels[o + 2];
            foreach (var lora in _loras)
            {
                lora.Apply(rgb);
            }

            foreach (var control in _controls)
            {
                control.Apply(rgb, i, progress);
            }

            for (var c = 0; c < 3; c++)
            {
                pixels[o + c] = (byte)Math.Clamp((int)MathF.Round(rgb[c]), 0, 255);
            }
        }

        if (_reference is not null)
        {
            // A colour transfer toward the reference: each channel's mean and spread, by the weight.
            var own = ColourStats.Of(new RgbaImage(render.Width, render.Height, pixels));
            for (var c = 0; c < 3; c++)
            {
                var scale = own.Spread[c] < 1 ? 1 : _reference.Spread[c] / own.Spread[c];
                for (var i = 0; i < count; i++)
                {
                    var o = (i * 4) + c;
                    var moved = ((pixels[o] - own.Mean[c]) * scale) + _reference.Mean[c];
                    pixels[o] = (byte)Math.Clamp((int)Math.Round(pixels[o] + ((moved - pixels[o]) * _referenceWeight)), 0, 255);
                }
            }
        }

        return new RgbaImage(render.Width, render.Height, pixels);
    }

    /// <summary>A hue rotation about the grey axis plus a tint, both from the LoRA id's hash, scaled by the weight.</summary>
    private sealed class LoraShift
    {
        private readonly float[] _matrix = new float[9];
        private readonly float[] _tint = new float[3];
        private readonly float _tintAmount;

        private LoraShift(ulong hash, double weight)
        {
            var w = (float)Math.Clamp(weight, -2, 2);
            var angle = (((hash & 0xFFFF) / 65535f) - 0.5f) * MathF.PI * w; // up to ±90° per unit of weight
            var cos = MathF.Cos(angle);
            var sin = MathF.Sin(angle);
            const float third = 1f / 3;
            var root = MathF.Sqrt(third);

            // Rodrigues' rotation about (1,1,1)/√3: greys stay grey, hues turn.
            for (var r = 0; r < 3; r++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var value = (r == c ? cos : 0) + ((1 - cos) * third);
                    var cross = (c - r + 3) % 3;
                    value += cross == 1 ? -root * sin : cross == 2 ? root * sin : 0;
                    _matrix[(r * 3) + c] = value;
                }
            }

            for (var c = 0; c < 3; c++)
            {
                _tint[c] = (hash >> (16 + (c * 8))) & 0xFF;
            }

            _tintAmount = 0.15f * Math.Abs(w);
        }

        public static LoraShift For(Guid id, double weight) => new(StableHash.Of("lora", id.ToString("N")), weight);

        public void Apply(float[] rgb)
        {
            var r = rgb[0];
            var g = rgb[1];
            var b = rgb[2];
            for (var c = 0; c < 3; c++)
            {
                var turned = (_matrix[c * 3] * r) + (_matrix[(c * 3) + 1] * g) + (_matrix[(c * 3) + 2] * b);
                rgb[c] = turned + ((_tint[c] - turned) * _tintAmount);
            }
        }
    }

    /// <summary>A control image's structure at the job's size (0–1 per pixel) and how strongly it applies when.</summary>
    private sealed class ControlMap(float[] structure, double weight, double begin, double end)
    {
        public static ControlMap For(EngineControl control, int width, int height)
        {
            var image = ProceduralInputs.Decode(control.Image, width, height);
            var luma = new float[width * height];
            for (var i = 0; i < luma.Length; i++)
            {
                var o = i * 4;
                luma[i] = ((0.299f * image.Pixels[o]) + (0.587f * image.Pixels[o + 1]) + (0.114f * image.Pixels[o + 2])) / 255f;
            }

            // Depth maps are shapes (near is bright); the others are line drawings, read as edges.
            var structure = control.Type == "depth" ? luma : Edges(luma, width, height);
            return new ControlMap(structure, control.Weight, control.BeginPercent, control.EndPercent);
        }

        public void Apply(float[] rgb, int pixel, double progress)
        {
            // The share of the run so far during which the control was active, times its weight.
            var active = Math.Max(0, Math.Min(end, progress) - begin);
            var amount = (float)Math.Clamp(0.6 * weight * active / progress, 0, 1);
            if (amount == 0)
            {
                return;
            }

            var target = structure[pixel] * 255f;
            for (var c = 0; c < 3; c++)
            {
                rgb[c] += (target - rgb[c]) * amount;
            }
        }

        /// <summary>Sobel gradient magnitude, normalised to 0–1 (the edge map a canny/lineart preprocessor would give).</summary>
        private static float[] Edges(float[] luma, int width, int height)
        {
            var edges = new float[luma.Length];
            var max = 0f;
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    float At(int dx, int dy) => luma[(Math.Clamp(y + dy, 0, height - 1) * width) + Math.Clamp(x + dx, 0, width - 1)];
                    var gx = At(1, -1) + (2 * At(1, 0)) + At(1, 1) - At(-1, -1) - (2 * At(-1, 0)) - At(-1, 1);
                    var gy = At(-1, 1) + (2 * At(0, 1)) + At(1, 1) - At(-1, -1) - (2 * At(0, -1)) - At(1, -1);
                    var magnitude = MathF.Sqrt((gx * gx) + (gy * gy));
                    edges[(y * width) + x] = magnitude;
                    max = Math.Max(max, magnitude);
                }
            }

            if (max > 0)
            {
                for (var i = 0; i < edges.Length; i++)
                {
                    edges[i] /= max;
                }
            }

            return edges;
        }
    }

    /// <summary>Per-channel mean and standard deviation of an image.</summary>
    private sealed record ColourStats(double[] Mean, double[] Spread)
    {
        public static ColourStats Of(RgbaImage image)
        {
            var mean = new double[3];
            var square = new double[3];
            var count = image.Width * image.Height;
            for (var i = 0; i < count; i++)
            {
                for (var c = 0; c < 3; c++)
                {
                    double v = image.Pixels[(i * 4) + c];
                    mean[c] += v;
                    square[c] += v * v;
                }
            }

            var spread = new double[3];
            for (var c = 0; c < 3; c++)
            {
                mean[c] /= count;
                spread[c] = Math.Sqrt(Math.Max(0, (square[c] / count) - (mean[c] * mean[c])));
            }

            return new ColourStats(mean, spread);
        }
    }
}
