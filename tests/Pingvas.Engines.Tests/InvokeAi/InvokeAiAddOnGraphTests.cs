using System.Text.Json;

using Pingvas.Engines.InvokeAi;
using Pingvas.Testing.InvokeAi;

using static Pingvas.Engines.Tests.InvokeAi.InvokeAiAddOnTestKit;
using static Pingvas.Engines.Tests.InvokeAi.InvokeAiTestKit;

namespace Pingvas.Engines.Tests.InvokeAi;

/// <summary>LoRAs, ControlNets and the IP-Adapter in the graph: valid for the node's schema, with the job's weights, models and percents.</summary>
public sealed class InvokeAiAddOnGraphTests
{
    [Theory]
    [InlineData("sd-1.5", "lora_collection_loader", "controlnet", "ip_adapter", "denoise_latents", "unet")]
    [InlineData("sdxl-1.0", "sdxl_lora_collection_loader", "controlnet", "ip_adapter", "denoise_latents", "unet")]
    [InlineData("flux-dev", "flux_lora_collection_loader", "flux_controlnet", "flux_ip_adapter", "flux_denoise", "transformer")]
    public async Task Loras_controls_and_reference_make_a_valid_graph_with_the_jobs_weights(
        string model, string loaderType, string controlType, string adapterType, string denoiseType, string modelField)
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 1 });
        var family = FamilyOf(model);
        var loras = new[] { Lora(family, 0.8), Lora(family, -0.5) };
        await InstallAsync(node, AddOnModels().Concat(loras.Select(CachedLora)));
        await using var engine = await EngineAsync(node);
        Assert.Equal(loras.Select(l => l.Id).Order(), engine.HeldLoras.Order());
        var controls = new[]
        {
            new EngineControl("canny", Picture(48, 48), 0.7, 0.1, 0.6),
            new EngineControl("depth", Picture(), 1.2, 0, 1),
        };
        var job = Job(model) with { Loras = loras, Controls = controls, Reference = new EngineReference(Picture(32, 32), 0.45) };

        var (result, _) = await RunAsync(engine, job);

        Assert.Single(result.Images);
        var record = await node.RecordAsync();
        NoViolations(record);
        var graph = Graph(record);

        // LoRAs: one selector each, with the job's weight and the cached model, collected into the family's loader.
        var selectors = NodesOfType(graph, "lora_selector").ToList();
        Assert.Equal(2, selectors.Count);
        Assert.Equal([0.8, -0.5], selectors.OrderBy(s => s.GetProperty("id").GetString()).Select(s => s.GetProperty("weight").GetDouble()));
        Assert.Equal(loras.Select(l => l.NodeName), selectors.OrderBy(s => s.GetProperty("id").GetString()).Select(s => s.GetProperty("lora").GetProperty("name").GetString()));
        var loader = Assert.Single(NodesOfType(graph, loaderType)).GetProperty("id").GetString()!;
        var denoise = Assert.Single(NodesOfType(graph, denoiseType)).GetProperty("id").GetString()!;
        Assert.Equal(loader, SourceOf(graph, denoise, modelField));

        // ControlNets: the type's preprocessor on the uploaded image, then the model with weight and percents.
        var controlNodes = NodesOfType(graph, controlType).OrderBy(n => n.GetProperty("id").GetString()).ToList();
        Assert.Equal(2, controlNodes.Count);
        Assert.Equal([0.7, 1.2], controlNodes.Select(n => n.GetProperty("control_weight").GetDouble()));
        Assert.Equal([0.1, 0.0], controlNodes.Select(n => n.GetProperty("begin_step_percent").GetDouble()));
        Assert.Equal([0.6, 1.0], controlNodes.Select(n => n.GetProperty("end_step_percent").GetDouble()));
        var expected = InvokeAiAddOnDefaults.Control[family];
        Assert.Equal([expected["canny"].Name, expected["depth"].Name], controlNodes.Select(n => n.GetProperty("control_model").GetProperty("name").GetString()));
        Assert.Equal("canny_edge_detection", NodeById(graph, SourceOf(graph, controlNodes[0].GetProperty("id").GetString()!, "image")!).GetProperty("type").GetString());
        Assert.Equal("depth_anything_depth_estimation", NodeById(graph, SourceOf(graph, controlNodes[1].GetProperty("id").GetString()!, "image")!).GetProperty("type").GetString());
        Assert.True(HasEdge(graph, "collection", denoise, "control"));
        if (family == "flux")
        {
            Assert.Equal([0, 2], controlNodes.Select(n => n.GetProperty("instantx_control_mode").GetInt32()));
            Assert.True(HasEdge(graph, "vae", denoise, "controlnet_vae"));
        }

        // IP-Adapter: the reference image, its weight, the family's adapter and CLIP Vision variant.
        var adapter = Assert.Single(NodesOfType(graph, adapterType));
        Assert.Equal(0.45, adapter.GetProperty("weight").GetDouble());
        Assert.Equal(InvokeAiAddOnDefaults.Reference[family].Name, adapter.GetProperty("ip_adapter_model").GetProperty("name").GetString());
        Assert.Equal(InvokeAiAddOnDefaults.Reference[family].ClipVision, adapter.GetProperty("clip_vision_model").GetString());
        Assert.True(HasEdge(graph, "collection", denoise, "ip_adapter"));

        // Control and reference images were uploaded, used, and deleted afterwards.
        Assert.Equal(3, record.Uploads.Count);
        Assert.Equal(2, record.Uploads.Count(u => u.ImageCategory == "control"));
        Assert.Contains(adapter.GetProperty("image").GetProperty("image_name").GetString(), record.Uploads.Select(u => u.ImageName));
        Assert.All(record.Uploads, u => Assert.Contains(u.ImageName, record.DeletedImages));
        Assert.Equal("""[{"type":"canny","weight":0.7,"beginPercent":0.1,"endPercent":0.6},{"type":"depth","weight":1.2,"beginPercent":0,"endPercent":1}]""", result.Images[0].Metadata["control"]);
        Assert.Equal("""{"weight":0.45}""", result.Images[0].Metadata["reference"]);
        Assert.Equal(loras.Select(l => l.Id), JsonDocument.Parse(result.Images[0].Metadata["loras"]).RootElement.EnumerateArray().Select(l => l.GetProperty("id").GetGuid()));
    }

    [Theory]
    [InlineData("pose", "dw_openpose_detection")]
    [InlineData("lineart", "lineart_edge_detection")]
    public async Task Sd1_pose_and_lineart_use_their_preprocessors(string type, string preprocessor)
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 1 });
        await InstallAsync(node, AddOnModels());
        await using var engine = await EngineAsync(node);
        var job = Job("sd-1.5", EngineJobKind.ImageToImage, init: Picture()) with { Controls = [new EngineControl(type, Picture(), 1, 0, 0.5)] };

        await RunAsync(engine, job);

        var record = await node.RecordAsync();
        NoViolations(record);
        var graph = Graph(record);
        var control = Assert.Single(NodesOfType(graph, "controlnet"));
        Assert.Equal(preprocessor, NodeById(graph, SourceOf(graph, control.GetProperty("id").GetString()!, "image")!).GetProperty("type").GetString());
        Assert.Equal(InvokeAiAddOnDefaults.Control["sd1"][type].Name, control.GetProperty("control_model").GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_control_or_reference_model_the_node_lacks_is_node_missing_model_before_any_upload()
    {
        await using var node = await InvokeAiTestNode.StartAsync();
        // The SDXL IP-Adapter without its CLIP Vision encoder does not count; no SDXL depth ControlNet.
        await InstallAsync(node, AddOnModels(), drop: m => (m.Type == "controlnet" && m.Base == "sdxl" && m.Name == "Depth Map") || m.Name == "IP Adapter SD1.5 Image Encoder");
        await using var engine = await EngineAsync(node);

        Assert.DoesNotContain("sdxl:depth", engine.AddOnFeatures);
        Assert.DoesNotContain("sd1:reference", engine.AddOnFeatures);
        Assert.Contains("sdxl:canny", engine.AddOnFeatures);
        var control = await Assert.ThrowsAsync<RetryableEngineException>(() =>
            RunAsync(engine, Job("sdxl-1.0") with { Controls = [new EngineControl("depth", Picture(), 1, 0, 1)] }));
        Assert.Equal("node_missing_model", control.Code);
        var reference = await Assert.ThrowsAsync<RetryableEngineException>(() =>
            RunAsync(engine, Job("sd-1.5") with { Reference = new EngineReference(Picture(), 0.5) }));
        Assert.Equal("node_missing_model", reference.Code);

        // FLUX keeps its reference (its encoder is ViT-L), and SDXL its canny.
        await RunAsync(engine, Job("flux-schnell") with { Reference = new EngineReference(Picture(), 0.5) });
        await RunAsync(engine, Job("sdxl-1.0") with { Controls = [new EngineControl("canny", Picture(), 1, 0, 1)] });
        var record = await node.RecordAsync();
        NoViolations(record);
        Assert.Equal(2, record.Enqueued.Count);
        Assert.Equal(2, record.Uploads.Count);
    }

    [Fact]
    public async Task Configuration_overrides_a_control_model_and_adds_a_type()
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 1 });
        await InstallAsync(node, [Config("My Lineart XL", "sdxl", "controlnet", "diffusers"), Config("Canny Plus", "sd-1", "controlnet", "diffusers")]);
        var options = Options();
        options.Control["sdxl"] = new() { ["lineart"] = new() { Name = "My Lineart XL" } };
        options.Control["sd1"] = new() { ["canny"] = new() { Name = "Canny Plus" } };
        await using var engine = await EngineAsync(node, options: options);

        await RunAsync(engine, Job("sdxl-1.0") with { Controls = [new EngineControl("lineart", Picture(), 1, 0, 1)] });
        await RunAsync(engine, Job("sd-1.5") with { Controls = [new EngineControl("canny", Picture(), 1, 0, 1)] });

        var record = await node.RecordAsync();
        NoViolations(record);
        Assert.Equal("My Lineart XL", Assert.Single(NodesOfType(Graph(record, 0), "controlnet")).GetProperty("control_model").GetProperty("name").GetString());
        Assert.Equal("Canny Plus", Assert.Single(NodesOfType(Graph(record, 1), "controlnet")).GetProperty("control_model").GetProperty("name").GetString());
    }

    private static string? SourceOf(JsonElement graph, string node, string field) =>
        graph.GetProperty("edges").EnumerateArray()
            .Where(e => e.GetProperty("destination").GetProperty("node_id").GetString() == node && e.GetProperty("destination").GetProperty("field").GetString() == field)
            .Select(e => e.GetProperty("source").GetProperty("node_id").GetString())
            .SingleOrDefault();

    private static JsonElement NodeById(JsonElement graph, string id) => graph.GetProperty("nodes").GetProperty(id);
}
