using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Engines.InvokeAi;

namespace Pingvas.Engines.Tests.InvokeAi;

/// <summary>Configuration keys, model resolution and the node's timestamps, without a node.</summary>
public sealed class InvokeAiConfigurationTests
{
    [Fact]
    public async Task Nodes_and_model_overrides_bind_from_configuration_keys()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Engines:InvokeAi:Nodes:0:Url"] = "http://10.0.0.5:9090",
            ["Engines:InvokeAi:Nodes:0:GpuClass"] = "h100",
            ["Engines:InvokeAi:Nodes:0:Token"] = "t",
            ["Engines:InvokeAi:Nodes:0:Concurrency"] = "2",
            ["Engines:InvokeAi:Nodes:1:Url"] = "http://10.0.0.6:9090/",
            ["Engines:InvokeAi:Models:sd-1.5:Name"] = "Realistic Vision",
            ["Engines:InvokeAi:Upscalers:4"] = "SwinIR x4",
        }).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton(TimeProvider.System);

        services.AddInvokeAiEngines(configuration);
        await using var provider = services.BuildServiceProvider();

        var engines = provider.GetServices<IImageEngine>().Cast<InvokeAiEngine>().ToList();
        Assert.Equal(["10.0.0.5:9090", "10.0.0.6:9090"], engines.Select(e => e.Instance));
        Assert.Equal(("h100", 2), (engines[0].GpuClass, engines[0].Concurrency));
        Assert.Equal(("a10g", 1), (engines[1].GpuClass, engines[1].Concurrency));
        var options = provider.GetRequiredService<InvokeAiOptions>();
        var models = options.EffectiveModels();
        Assert.Equal(("Realistic Vision", "sd-1"), (models["sd-1.5"].Name, models["sd-1.5"].Base));
        Assert.Equal(("Juggernaut XL v9", "sdxl"), (models["sdxl-1.0"].Name, models["sdxl-1.0"].Base));
        Assert.Equal("SwinIR x4", options.EffectiveUpscalers()[4]);
        Assert.Equal("RealESRGAN_x2plus", options.EffectiveUpscalers()[2]);
    }

    [Fact]
    public void Without_nodes_nothing_is_registered()
    {
        var services = new ServiceCollection();
        services.AddInvokeAiEngines(new ConfigurationBuilder().Build());
        Assert.Empty(services);
    }

    [Fact]
    public void FLUX_counts_only_with_its_T5_encoder_CLIP_embedder_and_VAE()
    {
        var main = new InvokeAiModel("k1", "h", "FLUX.1 dev", "flux", "main");
        var t5 = new InvokeAiModel("k2", "h", "t5_base_encoder", "any", "t5_encoder");
        var clip = new InvokeAiModel("k3", "h", "clip-vit-large-patch14", "any", "clip_embed");
        var vae = new InvokeAiModel("k4", "h", "FLUX.1-schnell_ae", "flux", "vae");
        var sdxlVae = new InvokeAiModel("k5", "h", "sdxl-vae-fp16-fix", "sdxl", "vae");
        var options = new InvokeAiOptions();

        Assert.Empty(InvokeAiNodeModels.Resolve([main, t5, clip, sdxlVae], options).Models);
        var resolved = InvokeAiNodeModels.Resolve([main, t5, clip, vae], options);
        var set = resolved.Models["flux-dev"];
        Assert.Equal((t5, clip, vae), (set.T5Encoder, set.ClipEmbed, set.Vae));
        Assert.Equal(["flux-dev"], resolved.CatalogIds);
    }

    [Fact]
    public void Models_match_by_name_and_base_and_upscalers_with_or_without_extension()
    {
        var installed = new List<InvokeAiModel>
        {
            new("a", "h", "Dreamshaper 8", "sd-2", "main"),
            new("b", "h", "dreamshaper 8", "sd-1", "main"),
            new("c", "h", "RealESRGAN_x4plus.pth", "any", "spandrel_image_to_image"),
        };
        var resolved = InvokeAiNodeModels.Resolve(installed, new InvokeAiOptions());
        Assert.Equal("b", resolved.Models["sd-1.5"].Main.Key);
        Assert.Equal("c", resolved.Upscalers[4].Key);
        Assert.False(resolved.Upscalers.ContainsKey(2));
    }

    [Theory]
    [InlineData("2026-08-19 03:13:04.123", 2026, 8, 19, 3, 13, 4, 123)]
    [InlineData("2026-08-19 03:13:04", 2026, 8, 19, 3, 13, 4, 0)]
    [InlineData("2026-08-19T03:13:04.5", 2026, 8, 19, 3, 13, 4, 500)]
    [InlineData("2026-08-19T05:13:04.123+02:00", 2026, 8, 19, 3, 13, 4, 123)]
    public void Node_timestamps_are_read_as_UTC(string text, int y, int mo, int d, int h, int mi, int s, int ms)
    {
        var parsed = InvokeAiTime.Parse(text);
        Assert.Equal(new DateTime(y, mo, d, h, mi, s, ms, DateTimeKind.Utc), parsed);
        Assert.Equal(DateTimeKind.Utc, parsed!.Value.Kind);
    }

    [Fact]
    public void Missing_or_unreadable_timestamps_are_null()
    {
        Assert.Null(InvokeAiTime.Parse(null));
        Assert.Null(InvokeAiTime.Parse(""));
        Assert.Null(InvokeAiTime.Parse("yesterday"));
    }

    [Fact]
    public void Previews_come_from_JPEG_data_URLs_as_small_WebP()
    {
        var jpeg = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "red-blue-40x30.jpg"));
        var preview = InvokeAiImages.PreviewFromDataUrl("data:image/jpeg;base64," + Convert.ToBase64String(jpeg));
        Assert.NotNull(preview);
        Assert.Equal("webp", Imaging.ImageDecoder.Identify(preview).Format);
        Assert.Null(InvokeAiImages.PreviewFromDataUrl("data:image/jpeg;base64,not-base64!"));
        Assert.Null(InvokeAiImages.PreviewFromDataUrl("https://example.com/x.jpg"));
    }
}
