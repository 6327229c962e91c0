using Microsoft.Extensions.Configuration;

using Pingvas.Engines.InvokeAi;

namespace Pingvas.Engines.Tests.InvokeAi;

/// <summary>ControlNet, IP-Adapter and LoRA cache settings: configuration keys, defaults, resolution against a node's models.</summary>
public sealed class InvokeAiAddOnConfigurationTests
{
    [Fact]
    public void Control_reference_and_cache_settings_bind_from_configuration_keys_over_the_starter_defaults()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Engines:InvokeAi:Nodes:0:Url"] = "http://10.0.0.5:9090",
            ["Engines:InvokeAi:Nodes:0:LoraCacheGigabytes"] = "50",
            ["Engines:InvokeAi:Nodes:0:LoraInstallTimeoutSeconds"] = "120",
            ["Engines:InvokeAi:Control:sdxl:canny:Name"] = "My Canny XL",
            ["Engines:InvokeAi:Control:sdxl:lineart:Name"] = "Lineart XL",
            ["Engines:InvokeAi:Control:flux:pose:Name"] = "Union Pro",
            ["Engines:InvokeAi:Control:flux:pose:Mode"] = "4",
            ["Engines:InvokeAi:Reference:sdxl:ClipVision"] = "ViT-G",
            ["Engines:InvokeAi:Reference:sdxl:ImageEncoder"] = "IP Adapter SDXL Image Encoder",
        }).Build();

        var options = configuration.GetSection("Engines:InvokeAi").Get<InvokeAiOptions>()!;

        Assert.Equal((50d, 120d), (options.Nodes[0].LoraCacheGigabytes, options.Nodes[0].LoraInstallTimeoutSeconds));
        Assert.Equal((20d, 300d), (new InvokeAiNodeOptions().LoraCacheGigabytes, new InvokeAiNodeOptions().LoraInstallTimeoutSeconds));
        var control = options.EffectiveControl();
        Assert.Equal(("My Canny XL", "sdxl"), (control[("sdxl", "canny")].Name, control[("sdxl", "canny")].Base));
        Assert.Equal(("Lineart XL", "sdxl"), (control[("sdxl", "lineart")].Name, control[("sdxl", "lineart")].Base));
        Assert.Equal(("Union Pro", "flux", 4), (control[("flux", "pose")].Name, control[("flux", "pose")].Base, control[("flux", "pose")].Mode));
        Assert.Equal(("Hard Edge Detection (canny)", "sd-1"), (control[("sd1", "canny")].Name, control[("sd1", "canny")].Base));
        Assert.Equal(2, control[("flux", "depth")].Mode);
        var reference = options.EffectiveReference();
        Assert.Equal(("Standard Reference (IP Adapter ViT-H)", "ViT-G", "IP Adapter SDXL Image Encoder"),
            (reference["sdxl"].Name, reference["sdxl"].ClipVision, reference["sdxl"].ImageEncoder));
        Assert.Equal(("ViT-L", "clip-vit-large-patch14"), (reference["flux"].ClipVision, reference["flux"].ImageEncoder));
    }

    [Fact]
    public void A_node_offers_only_the_control_types_and_references_whose_models_it_has()
    {
        var canny = new InvokeAiModel("c1", "h", "Hard Edge Detection (canny)", "sd-1", "controlnet");
        var cannyXl = new InvokeAiModel("c2", "h", "Hard Edge Detection (canny)", "sdxl", "controlnet");
        var union = new InvokeAiModel("c3", "h", "FLUX.1-dev-Controlnet-Union", "flux", "controlnet");
        var adapter = new InvokeAiModel("i1", "h", "Standard Reference (IP Adapter)", "sd-1", "ip_adapter");
        var fluxAdapter = new InvokeAiModel("i2", "h", "Standard Reference (XLabs FLUX IP-Adapter v2)", "flux", "ip_adapter");
        var vitL = new InvokeAiModel("v1", "h", "clip-vit-large-patch14", "any", "clip_vision");

        var models = InvokeAiNodeModels.Resolve([canny, cannyXl, union, adapter, fluxAdapter, vitL], new InvokeAiOptions());

        Assert.Equal(
            [("flux", "canny"), ("flux", "depth"), ("sd1", "canny"), ("sdxl", "canny")],
            models.Controls.Keys.OrderBy(k => k.Family, StringComparer.Ordinal).ThenBy(k => k.Type, StringComparer.Ordinal));
        Assert.Equal((0, 2), (models.Controls[("flux", "canny")].Mode, models.Controls[("flux", "depth")].Mode));
        // The SD 1.5 adapter's ViT-H encoder is not installed: no SD 1.5 reference on this node.
        Assert.Equal(["flux"], models.References.Keys);
        Assert.Equal(vitL, models.References["flux"].ImageEncoder);
        Assert.Equal(["flux:canny", "flux:depth", "flux:reference", "sd1:canny", "sdxl:canny"], models.AddOnFeatures());
    }

    [Theory]
    [InlineData("pingvas-lora-0123456789abcdef0123456789abcdef", true)]
    [InlineData("pingvas-lora-0123456789abcdef0123456789abcdef.safetensors", true)]
    [InlineData("pingvas-lora-0123456789abcdef", false)]
    [InlineData("my-lora", false)]
    [InlineData("Pingvas-lora-0123456789abcdef0123456789abcdef", false)]
    public void Only_models_named_as_ours_are_the_lora_cache(string name, bool ours)
    {
        Assert.Equal(ours, InvokeAiLoraCache.TryParseName(name, out var id));
        Assert.Equal(ours ? Guid.Parse("0123456789abcdef0123456789abcdef") : Guid.Empty, id);
    }
}
