using Pingvas.Testing.InvokeAi;

using static Pingvas.Engines.Tests.InvokeAi.InvokeAiTestKit;

namespace Pingvas.Engines.Tests.InvokeAi;

/// <summary>Image-to-image, inpaint and upscale: inputs are uploaded as intermediates, wired into a valid graph, and deleted afterwards.</summary>
public sealed class InvokeAiImageInputTests
{
    [Theory]
    [InlineData("sd-1.5", "i2l", "denoise_latents")]
    [InlineData("sdxl-1.0", "i2l", "denoise_latents")]
    [InlineData("flux-schnell", "flux_vae_encode", "flux_denoise")]
    public async Task Image_to_image_starts_from_the_uploaded_init_image_at_one_minus_strength(string model, string encodeType, string denoiseType)
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 2 });
        await using var engine = await EngineAsync(node);
        var job = Job(model, EngineJobKind.ImageToImage, strength: 0.75, init: Picture());

        var (result, _) = await RunAsync(engine, job);

        Assert.Equal((64, 64), (result.Images[0].Pixels.Width, result.Images[0].Pixels.Height));
        Assert.Equal("0.75", result.Images[0].Metadata["strength"]);
        var record = await node.RecordAsync();
        NoViolations(record);
        var upload = Assert.Single(record.Uploads);
        Assert.True(upload.IsIntermediate);
        Assert.Equal((64, 64), (upload.Width, upload.Height));
        var graph = Graph(record);
        var encode = Assert.Single(NodesOfType(graph, encodeType));
        Assert.Equal(upload.ImageName, encode.GetProperty("image").GetProperty("image_name").GetString());
        var denoise = Assert.Single(NodesOfType(graph, denoiseType));
        Assert.Equal(0.25, denoise.GetProperty("denoising_start").GetDouble(), 6);
        Assert.True(HasEdge(graph, "latents", denoise.GetProperty("id").GetString()!, "latents"));
        Assert.Contains(upload.ImageName, record.DeletedImages);
        Assert.DoesNotContain(upload.ImageName, record.Images);
    }

    [Theory]
    [InlineData("sd-1.5", "denoise_latents")]
    [InlineData("sdxl-1.0", "denoise_latents")]
    [InlineData("flux-dev", "flux_denoise")]
    public async Task Inpaint_limits_denoising_to_the_mask_and_pastes_onto_the_init_image(string model, string denoiseType)
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 2 });
        await using var engine = await EngineAsync(node);
        var job = Job(model, EngineJobKind.Inpaint, strength: 1, init: Picture(), mask: LeftHalfMask());

        var (result, _) = await RunAsync(engine, job);

        Assert.Equal((64, 64), (result.Images[0].Pixels.Width, result.Images[0].Pixels.Height));
        var record = await node.RecordAsync();
        NoViolations(record);
        Assert.Equal(2, record.Uploads.Count);
        var mask = Assert.Single(record.Uploads, u => u.ImageCategory == "mask");
        var graph = Graph(record);
        var gradient = Assert.Single(NodesOfType(graph, "create_gradient_mask"));
        Assert.Equal(mask.ImageName, gradient.GetProperty("mask").GetProperty("image_name").GetString());
        var denoise = Assert.Single(NodesOfType(graph, denoiseType));
        Assert.True(HasEdge(graph, "denoise_mask", denoise.GetProperty("id").GetString()!, "denoise_mask"));
        var blend = Assert.Single(NodesOfType(graph, "invokeai_img_blend"));
        Assert.False(blend.GetProperty("is_intermediate").GetBoolean());
        Assert.False(blend.GetProperty("use_cache").GetBoolean());
        // Inputs, the output and the intermediates the session wrote are all gone from the node.
        Assert.All(record.Uploads, u => Assert.DoesNotContain(u.ImageName, record.Images));
        Assert.All(record.Items.SelectMany(i => i.OutputImages), name => Assert.DoesNotContain(name, record.Images));
    }

    [Theory]
    [InlineData("sd-1.5")]
    [InlineData("flux-dev")]
    public async Task Inputs_of_another_size_are_resized_and_FLUX_renders_odd_sizes_in_multiples_of_16(string model)
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 2 });
        await using var engine = await EngineAsync(node);
        var job = Job(model, EngineJobKind.Inpaint, width: 72, height: 56, init: Picture(80, 64), mask: LeftHalfMask(80, 64));

        var (result, _) = await RunAsync(engine, job);

        Assert.Single(result.Images);
        var record = await node.RecordAsync();
        NoViolations(record);
        // The test node passes img_resize through unchanged, so the sizes are checked in the graph:
        // SD resizes the 80×64 init and mask to 72×56; FLUX renders at 80×64 (the next multiples of 16,
        // which the inputs already have) and resizes only the result to 72×56.
        var resizes = NodesOfType(Graph(record), "img_resize")
            .Select(n => (n.GetProperty("width").GetInt32(), n.GetProperty("height").GetInt32()))
            .Order()
            .ToList();
        Assert.Equal(model == "flux-dev" ? [(72, 56)] : [(72, 56), (72, 56)], resizes);
    }

    [Fact]
    public async Task Inpaint_mask_is_sent_in_InvokeAI_polarity_black_repaints()
    {
        var ours = LeftHalfMask(8, 4);
        var png = Pingvas.Engines.InvokeAi.InvokeAiImages.ToInvokeAiMask(ours);
        var theirs = Pingvas.Engines.Imaging.ImageDecoder.Decode(png);
        Assert.Equal(0, theirs.Pixels[0]);                 // left: repaint → black
        Assert.Equal(255, theirs.Pixels[(7 * 4)]);         // right: keep → white
        await Task.CompletedTask;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Upscale_enlarges_by_the_scale_with_a_spandrel_model(int scale)
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 2 });
        await using var engine = await EngineAsync(node);
        var job = Job("sd-1.5", EngineJobKind.Upscale, width: 32 * scale, height: 24 * scale, scale: scale, init: Picture(32, 24));

        var (result, _) = await RunAsync(engine, job);

        Assert.Equal((32 * scale, 24 * scale), (result.Images[0].Pixels.Width, result.Images[0].Pixels.Height));
        var record = await node.RecordAsync();
        NoViolations(record);
        var graph = Graph(record);
        var upscale = Assert.Single(NodesOfType(graph, "spandrel_image_to_image"));
        Assert.Equal($"RealESRGAN_x{scale}plus", upscale.GetProperty("image_to_image_model").GetProperty("name").GetString());
        Assert.False(upscale.GetProperty("use_cache").GetBoolean());
        Assert.DoesNotContain(record.Uploads[0].ImageName, record.Images);
    }
}
