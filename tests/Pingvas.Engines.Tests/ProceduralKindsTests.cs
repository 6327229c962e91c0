using Pingvas.Engines.Imaging;

using static Pingvas.Engines.Tests.EngineTestKit;

namespace Pingvas.Engines.Tests;

/// <summary>The procedural engine's img2img, inpaint and upscale: inputs honoured, deterministic, with progress and cancellation.</summary>
public sealed class ProceduralKindsTests
{
    private static EngineInputImage Png(RgbaImage image) => new("image/png", PngEncoder.Encode(image), image.Width, image.Height);

    private static EngineJob ImageToImage(RgbaImage init, double strength, long seed = 1234, int steps = 6) =>
        Job(width: init.Width, height: init.Height, steps: steps, seed: seed) with { Kind = EngineJobKind.ImageToImage, InitImage = Png(init), Strength = strength };

    private static RgbaImage HalfMask(int width, int height)
    {
        // Left half white (repaint), right half black (keep).
        var mask = TestImages.Filled(width, height, 0, 0, 0);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width / 2; x++)
            {
                mask.Pixels.AsSpan((((y * width) + x) * 4), 3).Fill(255);
            }
        }

        return mask;
    }

    [Fact]
    public async Task Img2img_at_strength_0_returns_the_init_image_and_moves_toward_the_render_as_strength_grows()
    {
        var init = TestImages.Gradient(64, 48);
        var (kept, _) = await RunAsync(Engine(), ImageToImage(init, 0));
        Assert.Equal(init.Pixels, kept.Images[0].Pixels.Pixels);

        var (render, _) = await RunAsync(Engine(), Job(width: 64, height: 48, steps: 6));
        var distances = new List<double>();
        foreach (var strength in new[] { 0.25, 0.5, 1.0 })
        {
            var (result, _) = await RunAsync(Engine(), ImageToImage(init, strength));
            distances.Add(TestImages.MeanAbsDifference(result.Images[0].Pixels, init));
        }

        Assert.True(distances[0] > 0 && distances[0] < distances[1] && distances[1] < distances[2], string.Join(", ", distances));

        // At strength 1 the init image is ignored: the plain render.
        var (full, _) = await RunAsync(Engine(), ImageToImage(init, 1));
        Assert.Equal(render.Images[0].Pixels.Pixels, full.Images[0].Pixels.Pixels);
    }

    [Fact]
    public async Task Img2img_is_deterministic_per_seed_and_reports_every_step_from_the_init_image()
    {
        var init = TestImages.Noise(64, 64, 5);
        var (a, progress) = await RunAsync(Engine(), ImageToImage(init, 0.6));
        var (b, _) = await RunAsync(Engine(), ImageToImage(init, 0.6));
        var (other, _) = await RunAsync(Engine(), ImageToImage(init, 0.6, seed: 99));

        Assert.Equal(a.Images[0].Pixels.Pixels, b.Images[0].Pixels.Pixels);
        Assert.NotEqual(a.Images[0].Pixels.Pixels, other.Images[0].Pixels.Pixels);
        Assert.Equal(Enumerable.Range(1, 6), progress.Select(p => p.Step));
        Assert.All(progress, p => Assert.NotNull(p.Preview));
        Assert.Equal("img2img", a.Images[0].Metadata["kind"]);
    }

    [Fact]
    public async Task Inpaint_changes_only_the_masked_pixels_and_keeps_the_rest_byte_identical()
    {
        var init = TestImages.Noise(64, 40, 11);
        var job = Job(width: 64, height: 40, steps: 5) with
        {
            Kind = EngineJobKind.Inpaint,
            InitImage = Png(init),
            Mask = Png(HalfMask(64, 40)),
            Strength = 1,
        };

        var (result, progress) = await RunAsync(Engine(), job);
        var pixels = result.Images[0].Pixels.Pixels;
        var changed = 0;
        for (var y = 0; y < 40; y++)
        {
            for (var x = 0; x < 64; x++)
            {
                var o = ((y * 64) + x) * 4;
                if (x >= 32)
                {
                    Assert.True(pixels.AsSpan(o, 4).SequenceEqual(init.Pixels.AsSpan(o, 4)), $"kept pixel ({x},{y}) changed");
                }
                else if (!pixels.AsSpan(o, 4).SequenceEqual(init.Pixels.AsSpan(o, 4)))
                {
                    changed++;
                }
            }
        }

        Assert.True(changed > 32 * 40 * 0.9, $"only {changed} masked pixels changed");
        Assert.Equal(5, progress.Count);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Upscale_enlarges_by_the_scale_keeps_the_picture_and_adds_deterministic_detail(int scale)
    {
        var source = TestImages.Gradient(40, 24);
        var job = Job(width: 40 * scale, height: 24 * scale, steps: 3) with { Kind = EngineJobKind.Upscale, InitImage = Png(source), UpscaleScale = scale };

        var (a, progress) = await RunAsync(Engine(), job);
        var (b, _) = await RunAsync(Engine(), job);
        var (otherSeed, _) = await RunAsync(Engine(), job with { Seed = 77 });
        var image = a.Images[0].Pixels;

        Assert.Equal((40 * scale, 24 * scale), (image.Width, image.Height));
        Assert.Equal(image.Pixels, b.Images[0].Pixels.Pixels);
        Assert.NotEqual(image.Pixels, otherSeed.Images[0].Pixels.Pixels);
        Assert.Equal([1, 2, 3], progress.Select(p => p.Step));

        // Shrunk back, it is the source picture (detail is small), but not a plain interpolation.
        var back = ImageResizer.Fit(image, 40);
        Assert.True(TestImages.MeanAbsDifference(back, source) < 4, $"drifted {TestImages.MeanAbsDifference(back, source)}");
        var plain = Pingvas.Engines.Procedural.ProceduralInputs.Resample(source, 40 * scale, 24 * scale);
        Assert.True(TestImages.MeanAbsDifference(image, plain) > 0.5);
    }

    [Fact]
    public async Task An_init_image_of_another_size_is_resampled_to_the_output_size()
    {
        var (result, _) = await RunAsync(Engine(), Job(width: 64, height: 64, steps: 2) with
        {
            Kind = EngineJobKind.ImageToImage,
            InitImage = Png(TestImages.Gradient(100, 80)),
            Strength = 0.5,
        });
        Assert.Equal((64, 64), (result.Images[0].Pixels.Width, result.Images[0].Pixels.Height));
    }

    [Fact]
    public async Task Cancelling_an_upscale_and_an_img2img_mid_run_stops_them()
    {
        foreach (var job in new[]
        {
            Job(width: 128, height: 96, steps: 6) with { Kind = EngineJobKind.Upscale, InitImage = Png(TestImages.Gradient(64, 48)), UpscaleScale = 2 },
            ImageToImage(TestImages.Gradient(64, 48), 0.5),
        })
        {
            using var cts = new CancellationTokenSource();
            var steps = 0;
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Engine().RunAsync(job, p =>
            {
                steps = p.Step;
                if (p.Step == 2)
                {
                    cts.Cancel();
                }

                return ValueTask.CompletedTask;
            }, cts.Token));
            Assert.Equal(2, steps);
        }
    }

    [Fact]
    public async Task A_job_without_its_input_image_or_with_bad_input_bytes_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => RunAsync(Engine(), Job() with { Kind = EngineJobKind.ImageToImage }));
        await Assert.ThrowsAsync<ArgumentException>(() => RunAsync(Engine(), Job() with { Kind = EngineJobKind.Inpaint, InitImage = Png(TestImages.Gradient(64, 64)) }));
        await Assert.ThrowsAsync<ArgumentException>(() => RunAsync(Engine(), Job(width: 100, height: 64) with
        {
            Kind = EngineJobKind.Upscale,
            InitImage = Png(TestImages.Gradient(64, 64)),
            UpscaleScale = 2,
        }));
        await Assert.ThrowsAsync<InvalidImageException>(() => RunAsync(Engine(), Job() with
        {
            Kind = EngineJobKind.ImageToImage,
            InitImage = new EngineInputImage("image/png", [1, 2, 3, 4], 64, 64),
        }));
    }
}
