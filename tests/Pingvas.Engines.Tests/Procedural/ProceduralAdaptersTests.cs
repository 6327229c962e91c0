using System.Text.Json;

using Pingvas.Engines.Imaging;

using static Pingvas.Engines.Tests.EngineTestKit;

namespace Pingvas.Engines.Tests;

/// <summary>LoRAs, ControlNets and the IP-Adapter reference on the procedural engine: visible, deterministic, weight 0 inert.</summary>
public sealed class ProceduralAdaptersTests
{
    private const int Size = 64;
    private static readonly Guid LoraA = Guid.Parse("0b5e3c1a-8f3e-4a51-9d55-3a1f3d8d2a11");
    private static readonly Guid LoraB = Guid.Parse("7c2d9e44-1b6a-4f0e-8e21-55c7a9b0e3f2");

    private static EngineInputImage Png(RgbaImage image) => new("image/png", PngEncoder.Encode(image), image.Width, image.Height);

    private static EngineLora Lora(Guid id, double weight) => new(id, "sdxl", weight, 1000, new string('a', 64), "https://files.invalid/lora");

    /// <summary>A white square on black: its edges are the square's outline, its luminance the square.</summary>
    private static RgbaImage Square(int width, int height)
    {
        var image = TestImages.Filled(width, height, 0, 0, 0);
        for (var y = height / 4; y < height * 3 / 4; y++)
        {
            for (var x = width / 4; x < width * 3 / 4; x++)
            {
                image.Pixels.AsSpan(((y * width) + x) * 4, 3).Fill(255);
            }
        }

        return image;
    }

    private static async Task<RgbaImage> RenderAsync(EngineJob job) => (await RunAsync(Engine(), job)).Result.Images[0].Pixels;

    private static double[] Luma(RgbaImage image)
    {
        var luma = new double[image.Width * image.Height];
        for (var i = 0; i < luma.Length; i++)
        {
            luma[i] = (0.299 * image.Pixels[i * 4]) + (0.587 * image.Pixels[(i * 4) + 1]) + (0.114 * image.Pixels[(i * 4) + 2]);
        }

        return luma;
    }

    private static double Correlation(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }

        return sab / Math.Sqrt(saa * sbb);
    }

    /// <summary>1 on the square's outline (a pixel whose 4-neighbourhood crosses the edge), else 0.</summary>
    private static double[] Outline(int width, int height)
    {
        var square = Luma(Square(width, height));
        var outline = new double[square.Length];
        for (var y = 1; y < height - 1; y++)
        {
            for (var x = 1; x < width - 1; x++)
            {
                var i = (y * width) + x;
                var differs = square[i] != square[i - 1] || square[i] != square[i + 1] || square[i] != square[i - width] || square[i] != square[i + width];
                outline[i] = differs ? 1 : 0;
            }
        }

        return outline;
    }

    private static double[] MeanColour(RgbaImage image)
    {
        var mean = new double[3];
        for (var i = 0; i < image.Pixels.Length; i += 4)
        {
            for (var c = 0; c < 3; c++)
            {
                mean[c] += image.Pixels[i + c];
            }
        }

        return mean.Select(m => m / (image.Width * image.Height)).ToArray();
    }

    private static double Distance(double[] a, double[] b) => Math.Sqrt(a.Zip(b, (x, y) => (x - y) * (x - y)).Sum());

    [Fact]
    public async Task The_same_loras_controls_and_reference_give_the_same_pixels()
    {
        var job = Job(width: Size, height: Size) with
        {
            Loras = [Lora(LoraA, 0.8)],
            Controls = [new EngineControl("canny", Png(Square(Size, Size)), 0.9, 0, 1)],
            Reference = new EngineReference(Png(TestImages.Gradient(32, 32)), 0.5),
        };

        var a = await RenderAsync(job);
        var b = await RenderAsync(job with { JobId = Guid.NewGuid() });
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.NotEqual((await RenderAsync(Job(width: Size, height: Size))).Pixels, a.Pixels);
    }

    [Fact]
    public async Task Weight_0_changes_nothing()
    {
        var plain = await RenderAsync(Job(width: Size, height: Size));
        var inert = await RenderAsync(Job(width: Size, height: Size) with
        {
            Loras = [Lora(LoraA, 0)],
            Controls = [new EngineControl("depth", Png(Square(Size, Size)), 0, 0, 1)],
            Reference = new EngineReference(Png(TestImages.Filled(8, 8, 255, 0, 0)), 0),
        });
        Assert.Equal(plain.Pixels, inert.Pixels);
    }

    [Fact]
    public async Task A_lora_shifts_the_image_by_its_id_and_more_with_more_weight()
    {
        var plain = await RenderAsync(Job(width: Size, height: Size));
        var a = await RenderAsync(Job(width: Size, height: Size) with { Loras = [Lora(LoraA, 1)] });
        var b = await RenderAsync(Job(width: Size, height: Size) with { Loras = [Lora(LoraB, 1)] });
        var aHalf = await RenderAsync(Job(width: Size, height: Size) with { Loras = [Lora(LoraA, 0.5)] });

        Assert.True(TestImages.MeanAbsDifference(a, b) > 3, "different LoRAs differ");
        var full = TestImages.MeanAbsDifference(plain, a);
        var half = TestImages.MeanAbsDifference(plain, aHalf);
        Assert.True(half > 1 && full > half, $"half {half}, full {full}");
    }

    [Fact]
    public async Task A_canny_control_draws_its_edges_into_the_image_within_its_window()
    {
        var control = Png(Square(Size, Size));
        var outline = Outline(Size, Size);
        var plain = Correlation(Luma(await RenderAsync(Job(width: Size, height: Size))), outline);
        var full = Correlation(Luma(await RenderAsync(Job(width: Size, height: Size) with { Controls = [new EngineControl("canny", control, 1, 0, 1)] })), outline);
        var early = Correlation(Luma(await RenderAsync(Job(width: Size, height: Size) with { Controls = [new EngineControl("canny", control, 1, 0, 0.3)] })), outline);

        Assert.True(full > 0.5, $"with the control the outline shows: r = {full}");
        Assert.True(Math.Abs(plain) < 0.3, $"without it, it does not: r = {plain}");
        Assert.True(early > plain && early < full, $"a shorter window imposes less: {plain} < {early} < {full}");
    }

    [Fact]
    public async Task A_control_starting_halfway_leaves_the_first_half_of_the_steps_alone()
    {
        static async Task<List<byte[]>> StepsAsync(EngineJob job)
        {
            var steps = new List<byte[]>();
            var engine = Engine();
            engine.StepRendered = (_, _, image) => steps.Add((byte[])image.Pixels.Clone());
            await RunAsync(engine, job);
            return steps;
        }

        var plain = await StepsAsync(Job(width: Size, height: Size, steps: 8));
        var late = await StepsAsync(Job(width: Size, height: Size, steps: 8) with
        {
            Controls = [new EngineControl("canny", Png(Square(Size, Size)), 1, 0.5, 1)],
        });
        for (var step = 0; step < 4; step++)
        {
            Assert.Equal(plain[step], late[step]);
        }

        Assert.NotEqual(plain[4], late[4]);
        Assert.NotEqual(plain[7], late[7]);
    }

    [Fact]
    public async Task A_depth_control_imposes_its_shapes()
    {
        var square = Luma(Square(Size, Size));
        var plain = Correlation(Luma(await RenderAsync(Job(width: Size, height: Size))), square);
        var depth = Correlation(Luma(await RenderAsync(Job(width: Size, height: Size) with
        {
            Controls = [new EngineControl("depth", Png(Square(32, 32)), 1, 0, 1)], // resampled to the job's size
        })), square);
        Assert.True(depth > 0.6 && depth > plain + 0.3, $"plain {plain}, depth {depth}");
    }

    [Fact]
    public async Task A_reference_pulls_the_colours_toward_its_own_by_weight()
    {
        var red = TestImages.Filled(16, 16, 230, 30, 30);
        var target = MeanColour(red);
        var plain = Distance(MeanColour(await RenderAsync(Job(width: Size, height: Size))), target);
        var half = Distance(MeanColour(await RenderAsync(Job(width: Size, height: Size) with { Reference = new EngineReference(Png(red), 0.5) })), target);
        var full = Distance(MeanColour(await RenderAsync(Job(width: Size, height: Size) with { Reference = new EngineReference(Png(red), 1) })), target);
        Assert.True(plain > half && half > full && full < 5, $"{plain} > {half} > {full}");
    }

    [Fact]
    public async Task Inpaint_keeps_its_kept_pixels_exactly_with_adapters_on()
    {
        var init = TestImages.Gradient(Size, Size);
        var mask = TestImages.Filled(Size, Size, 0, 0, 0);
        mask.Pixels.AsSpan(0, Size * 4 * (Size / 2)).Fill(255); // top half repainted
        var result = await RenderAsync(Job(width: Size, height: Size) with
        {
            Kind = EngineJobKind.Inpaint,
            InitImage = Png(init),
            Mask = Png(mask),
            Loras = [Lora(LoraA, 1.5)],
            Controls = [new EngineControl("lineart", Png(Square(Size, Size)), 1, 0, 1)],
        });
        var half = Size * 4 * (Size / 2);
        Assert.Equal(init.Pixels.AsSpan(half).ToArray(), result.Pixels.AsSpan(half).ToArray());
        Assert.NotEqual(init.Pixels.AsSpan(0, half).ToArray(), result.Pixels.AsSpan(0, half).ToArray());
    }

    [Fact]
    public async Task The_metadata_records_loras_control_and_reference()
    {
        var job = Job(width: Size, height: Size) with
        {
            Loras = [Lora(LoraA, 0.75)],
            Controls = [new EngineControl("pose", Png(Square(Size, Size)), 0.6, 0.1, 0.9)],
            Reference = new EngineReference(Png(TestImages.Gradient(8, 8)), 0.4),
        };
        var metadata = (await RunAsync(Engine(), job)).Result.Images[0].Metadata;

        var lora = Assert.Single(JsonDocument.Parse(metadata["loras"]).RootElement.EnumerateArray());
        Assert.Equal(LoraA, lora.GetProperty("id").GetGuid());
        Assert.Equal(0.75, lora.GetProperty("weight").GetDouble());
        var control = Assert.Single(JsonDocument.Parse(metadata["control"]).RootElement.EnumerateArray());
        Assert.Equal("pose", control.GetProperty("type").GetString());
        Assert.Equal(0.9, control.GetProperty("endPercent").GetDouble());
        Assert.Equal(0.4, JsonDocument.Parse(metadata["reference"]).RootElement.GetProperty("weight").GetDouble());

        var plain = (await RunAsync(Engine(), Job(width: Size, height: Size))).Result.Images[0].Metadata;
        Assert.False(plain.ContainsKey("loras") || plain.ContainsKey("control") || plain.ContainsKey("reference"));
    }
}
