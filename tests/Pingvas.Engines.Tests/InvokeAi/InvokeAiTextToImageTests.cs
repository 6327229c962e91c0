using Pingvas.Engines.InvokeAi;
using Pingvas.Testing.InvokeAi;

using static Pingvas.Engines.Tests.InvokeAi.InvokeAiTestKit;

namespace Pingvas.Engines.Tests.InvokeAi;

public sealed class InvokeAiTextToImageTests
{
    [Theory]
    [InlineData("sd-1.5", "denoise_latents", "l2i")]
    [InlineData("sdxl-1.0", "denoise_latents", "l2i")]
    [InlineData("flux-schnell", "flux_denoise", "flux_vae_decode")]
    [InlineData("flux-dev", "flux_denoise", "flux_vae_decode")]
    public async Task Text_to_image_renders_on_the_node_with_a_valid_uncached_graph(string model, string denoiseType, string outputType)
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 2 });
        await using var engine = await EngineAsync(node);
        var job = Job(model, width: 64, height: 48, batch: 2);

        var (result, _) = await RunAsync(engine, job);

        Assert.Equal("invokeai", result.Engine);
        Assert.Equal(2, result.Images.Count);
        Assert.All(result.Images, i => Assert.Equal((64, 48), (i.Pixels.Width, i.Pixels.Height)));
        Assert.Equal([1234L, 1235L], result.Images.Select(i => i.Seed));
        Assert.True(result.ComputeTime > TimeSpan.Zero);
        var record = await node.RecordAsync();
        NoViolations(record);
        Assert.Equal(2, record.Enqueued.Count);
        var batch = record.Enqueued[0].Batch;
        Assert.Equal("pingvas", batch.GetProperty("origin").GetString());
        Assert.Equal(job.JobId.ToString("D"), batch.GetProperty("destination").GetString());
        var graph = Graph(record);
        Assert.False(Assert.Single(NodesOfType(graph, denoiseType)).GetProperty("use_cache").GetBoolean());
        var output = Assert.Single(NodesOfType(graph, outputType));
        Assert.False(output.GetProperty("use_cache").GetBoolean());
        Assert.False(output.GetProperty("is_intermediate").GetBoolean());
        // Each image was fetched, then deleted from the node.
        Assert.All(record.Items, item => Assert.All(item.OutputImages, name => Assert.DoesNotContain(name, record.Images)));
        Assert.Equal(2, record.Items.SelectMany(i => i.OutputImages).Intersect(record.DeletedImages).Count());
    }

    [Fact]
    public async Task Refresh_advertises_only_the_catalog_models_the_node_has()
    {
        await using var node = await InvokeAiTestNode.StartAsync();
        await using var engine = await EngineAsync(node);
        Assert.Equal(["flux-dev", "flux-schnell", "sd-1.5", "sdxl-1.0"], engine.Models.Order(StringComparer.Ordinal));
        Assert.Equal([2, 4], engine.UpscaleFactors.Order());
        Assert.Equal("invokeai", engine.Name);
        Assert.Equal(node.BaseUrl.Authority, engine.Instance);
        Assert.Equal("l4", engine.GpuClass);
        Assert.Equal(1, engine.Concurrency);

        // Without the T5 encoder, no FLUX model can run; without Juggernaut, no SDXL.
        var models = await node.GetModelsAsync();
        await node.SetModelsAsync(models.Where(m => m.Type != "t5_encoder" && m.Name != "Juggernaut XL v9").ToList());
        await engine.RefreshAsync(CancellationToken.None);
        Assert.Equal(["sd-1.5"], engine.Models);
    }
}
