using System.Globalization;

using Pingvas.Engines.Imaging;
using Pingvas.Engines.Procedural;

using static Pingvas.Engines.Tests.EngineTestKit;

namespace Pingvas.Engines.Tests;

public sealed class ProceduralEngineTests
{
    [Fact]
    public async Task Same_job_renders_byte_identical_pixels_whatever_the_parallelism()
    {
        var job = Job(width: 96, height: 72);

        var (parallel, _) = await RunAsync(Engine(), job);
        var (parallelAgain, _) = await RunAsync(Engine(), job with { JobId = Guid.NewGuid() });
        var (serial, _) = await RunAsync(Engine(maxDegreeOfParallelism: 1), job);

        Assert.Equal(parallel.Images[0].Pixels.Pixels, parallelAgain.Images[0].Pixels.Pixels);
        Assert.Equal(parallel.Images[0].Pixels.Pixels, serial.Images[0].Pixels.Pixels);
    }

    [Theory]
    [InlineData("seed")]
    [InlineData("prompt")]
    [InlineData("model")]
    [InlineData("negative")]
    [InlineData("cfg")]
    public async Task Changing_a_parameter_changes_the_image(string parameter)
    {
        var job = Job();
        var changed = parameter switch
        {
            "seed" => job with { Seed = job.Seed + 1 },
            "prompt" => job with { Prompt = "a lighthouse in a storm!" },
            "model" => job with { Model = "flux-dev" },
            "negative" => job with { NegativePrompt = "blurry, low quality" },
            _ => job with { CfgScale = 12 },
        };

        var (a, _) = await RunAsync(Engine(), job);
        var (b, _) = await RunAsync(Engine(), changed);

        Assert.True(
            TestImages.MeanAbsDifference(a.Images[0].Pixels, b.Images[0].Pixels) > 1.0,
            $"changing {parameter} should visibly change the image");
    }

    [Fact]
    public async Task Render_is_a_real_image_not_a_flat_fill()
    {
        var (result, _) = await RunAsync(Engine(), Job(width: 128, height: 96));
        var pixels = result.Images[0].Pixels;

        var colours = new HashSet<int>();
        for (var i = 0; i < pixels.Pixels.Length; i += 4)
        {
            colours.Add(pixels.Pixels[i] | (pixels.Pixels[i + 1] << 8) | (pixels.Pixels[i + 2] << 16));
            Assert.Equal(255, pixels.Pixels[i + 3]);
        }

        Assert.Equal((128, 96), (pixels.Width, pixels.Height));
        Assert.True(colours.Count > 1000, $"only {colours.Count} distinct colours");
    }

    [Fact]
    public async Task Result_reports_engine_name_zero_model_load_and_every_parameter_in_metadata()
    {
        var job = Job(prompt: "고양이 우주비행사", negative: "흐릿함", cfg: 6.5, scheduler: "dpmpp_2m_karras", steps: 3, seed: 77);

        var (result, _) = await RunAsync(Engine(), job);

        Assert.Equal("procedural", result.Engine);
        Assert.Equal(TimeSpan.Zero, result.ModelLoadTime);
        var image = Assert.Single(result.Images);
        Assert.Equal((0, 77L), (image.Index, image.Seed));
        var expected = new Dictionary<string, string>
        {
            ["engine"] = "procedural",
            ["engineKind"] = "development (procedural renderer, not AI)",
            ["kind"] = "txt2img",
            ["model"] = "sdxl-1.0",
            ["prompt"] = "고양이 우주비행사",
            ["negativePrompt"] = "흐릿함",
            ["width"] = "64",
            ["height"] = "64",
            ["steps"] = "3",
            ["cfgScale"] = "6.5",
            ["scheduler"] = "dpmpp_2m_karras",
            ["seed"] = "77",
            ["batchIndex"] = "0",
            ["batchSize"] = "1",
        };
        Assert.Equal(expected.OrderBy(p => p.Key), image.Metadata.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task Missing_negative_prompt_is_recorded_as_empty()
    {
        var (result, _) = await RunAsync(Engine(), Job(negative: null, steps: 1));

        Assert.Equal(string.Empty, result.Images[0].Metadata["negativePrompt"]);
    }

    [Fact]
    public async Task Batch_renders_distinct_images_with_consecutive_seeds()
    {
        var job = Job(batch: 2, seed: 500, steps: 4);

        var (result, _) = await RunAsync(Engine(), job);
        var (single, _) = await RunAsync(Engine(), job with { BatchSize = 1, Seed = 501 });

        Assert.Equal(2, result.Images.Count);
        Assert.Equal([(0, 500L), (1, 501L)], result.Images.Select(i => (i.Index, i.Seed)));
        Assert.Equal(["500", "501"], result.Images.Select(i => i.Metadata["seed"]));
        Assert.Equal(["0", "1"], result.Images.Select(i => i.Metadata["batchIndex"]));
        Assert.True(TestImages.MeanAbsDifference(result.Images[0].Pixels, result.Images[1].Pixels) > 1.0);

        // Image 1 of a batch is exactly what a single run with its seed produces.
        Assert.Equal(single.Images[0].Pixels.Pixels, result.Images[1].Pixels.Pixels);
    }

    [Fact]
    public void Serves_the_local_models_only()
    {
        var engine = Engine();

        Assert.Equal("procedural", engine.Name);
        Assert.All(["sd-1.5", "sdxl-1.0", "flux-schnell", "flux-dev"], m => Assert.True(engine.CanRun(m)));
        Assert.All(["nano-banana", "stability-sd3", "SDXL-1.0", ""], m => Assert.False(engine.CanRun(m)));

        var custom = new ProceduralEngine(new ProceduralEngineOptions { Models = ["my-model"] }, TimeProvider.System);
        Assert.True(custom.CanRun("my-model"));
        Assert.False(custom.CanRun("sd-1.5"));
    }

    [Fact]
    public async Task Unsupported_model_and_invalid_jobs_are_rejected()
    {
        var engine = Engine();

        await Assert.ThrowsAsync<ArgumentException>(() => RunAsync(engine, Job(model: "nano-banana")));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => RunAsync(engine, Job(steps: 0)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => RunAsync(engine, Job(width: 0)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => RunAsync(engine, Job(batch: 0)));
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProceduralEngine(new ProceduralEngineOptions { PreviewSize = 129 }, TimeProvider.System));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProceduralEngine(new ProceduralEngineOptions { StepDelayMs = -1 }, TimeProvider.System));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProceduralEngine(new ProceduralEngineOptions { MaxDegreeOfParallelism = 0 }, TimeProvider.System));
    }

    [Fact]
    public async Task Final_image_encodes_to_PNG_with_its_metadata()
    {
        var (result, _) = await RunAsync(Engine(), Job(prompt: "수채화 고양이", steps: 2));
        var image = result.Images[0];

        var reader = PngTestReader.Read(PngEncoder.Encode(image.Pixels, image.Metadata));

        Assert.Equal(image.Pixels.Pixels, reader.DecodePixels().Pixels);
        Assert.Equal(("iTXt", "수채화 고양이"), reader.TextChunks()["prompt"]);
        Assert.Equal(("tEXt", image.Seed.ToString(CultureInfo.InvariantCulture)), reader.TextChunks()["seed"]);
    }
}
