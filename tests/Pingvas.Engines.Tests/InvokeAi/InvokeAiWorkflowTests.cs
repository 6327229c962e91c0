using System.Text.Json.Nodes;

using Pingvas.Engines.InvokeAi;
using Pingvas.Testing.InvokeAi;

using static Pingvas.Engines.Tests.InvokeAi.InvokeAiAddOnTestKit;
using static Pingvas.Engines.Tests.InvokeAi.InvokeAiTestKit;

namespace Pingvas.Engines.Tests.InvokeAi;

/// <summary>Workflow jobs: the job's graph with its references resolved on the node, run as one item, every output returned in order.</summary>
public sealed class InvokeAiWorkflowTests
{
    [Fact]
    public async Task A_workflow_runs_with_its_references_resolved_and_returns_every_output_in_order()
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 1 });
        var lora = Lora("sd1", 0);
        await InstallAsync(node, AddOnModels().Append(CachedLora(lora)));
        await using var engine = await EngineAsync(node);
        var imageId = Guid.NewGuid();
        var workflow = new EngineWorkflow(Sd1Graph(lora.Id, imageId), ["small_decode", "decode"], new Dictionary<Guid, EngineInputImage> { [imageId] = Picture(40, 40) });
        var job = Job("sd-1.5", steps: 30) with { Loras = [lora], Workflow = workflow };

        var (result, progress) = await RunAsync(engine, job);

        var record = await node.RecordAsync();
        NoViolations(record);
        var enqueued = Assert.Single(record.Enqueued);
        var graph = Graph(record);
        var nodes = graph.GetProperty("nodes");
        // References became the node's own models and image.
        var models = await node.GetModelsAsync();
        Assert.Equal(models.Single(m => m.Name == "Dreamshaper 8").Key, nodes.GetProperty("loader").GetProperty("model").GetProperty("key").GetString());
        Assert.Equal(models.Single(m => m.Name == lora.NodeName).Key, nodes.GetProperty("lora").GetProperty("lora").GetProperty("key").GetString());
        Assert.Equal(0.6, nodes.GetProperty("lora").GetProperty("weight").GetDouble());
        Assert.Equal(models.Single(m => m.Type == "controlnet" && m.Base == "sd-1" && m.Name == "Hard Edge Detection (canny)").Key,
            nodes.GetProperty("control").GetProperty("control_model").GetProperty("key").GetString());
        var upload = Assert.Single(record.Uploads);
        Assert.Equal((40, 40), (upload.Width, upload.Height));
        Assert.Equal(upload.ImageName, nodes.GetProperty("canny").GetProperty("image").GetProperty("image_name").GetString());
        // Denoise and output nodes never come from the node's cache; outputs are kept until fetched.
        foreach (var id in new[] { "denoise", "small", "decode", "small_decode" })
        {
            Assert.False(nodes.GetProperty(id).GetProperty("use_cache").GetBoolean(), id);
        }
        Assert.False(nodes.GetProperty("small_decode").GetProperty("is_intermediate").GetBoolean());
        Assert.False(nodes.GetProperty("decode").GetProperty("is_intermediate").GetBoolean());
        Assert.True(nodes.GetProperty("canny").GetProperty("is_intermediate").GetBoolean());

        // Outputs in OutputNodeIds order: the 32 px branch first, then the 64 px one.
        Assert.Equal([(32, 32), (64, 64)], result.Images.Select(i => (i.Pixels.Width, i.Pixels.Height)));
        Assert.Equal([0, 1], result.Images.Select(i => i.Index));
        Assert.Equal(["small_decode", "decode"], result.Images.Select(i => i.Metadata["workflowOutput"]));
        Assert.All(result.Images, i => Assert.Equal("workflow", i.Metadata["kind"]));
        Assert.Equal("denoise_latents", JsonNode.Parse(result.Images[0].Metadata["workflow"])!["nodes"]!["denoise"]!["type"]!.GetValue<string>());
        Assert.True(result.ComputeTime > TimeSpan.Zero);

        // Progress counts both denoise nodes' steps (5 + 3), never going back.
        Assert.NotEmpty(progress);
        Assert.All(progress, p => Assert.Equal(8, p.TotalSteps));
        Assert.Equal(8, progress[^1].Step);
        Assert.Equal(progress.Select(p => p.Step).Order(), progress.Select(p => p.Step));

        // The upload and every image the item wrote were deleted.
        var item = Assert.Single(record.Items);
        Assert.All(item.OutputImages, name => Assert.Contains(name, record.DeletedImages));
        Assert.Contains(upload.ImageName, record.DeletedImages);
        Assert.Equal(job.JobId.ToString("D"), enqueued.Batch.GetProperty("destination").GetString());
    }

    [Fact]
    public async Task A_workflow_lora_not_in_the_cache_is_installed_from_the_jobs_download_url()
    {
        await using var files = await LoraFileServer.StartAsync();
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 1 });
        await InstallAsync(node, AddOnModels());
        await using var engine = await EngineAsync(node);
        // Weight 0 in the job: the graph's own weight (0.6) applies.
        var lora = files.Add("sd1", InvokeAiTestLoras.Safetensors("sd-1"), weight: 0);
        var imageId = Guid.NewGuid();
        var workflow = new EngineWorkflow(Sd1Graph(lora.Id, imageId), ["decode"], new Dictionary<Guid, EngineInputImage> { [imageId] = Picture() });

        var (result, _) = await RunAsync(engine, Job() with { Loras = [lora], Workflow = workflow });

        Assert.Single(result.Images);
        var record = await node.RecordAsync();
        NoViolations(record);
        var install = Assert.Single(record.Installs);
        Assert.Equal((lora.DownloadUrl, lora.NodeName), (install.Source, install.Name));
        var selector = Graph(record).GetProperty("nodes").GetProperty("lora").GetProperty("lora");
        Assert.Equal(install.Key, selector.GetProperty("key").GetString());
        Assert.Equal(0.6, Graph(record).GetProperty("nodes").GetProperty("lora").GetProperty("weight").GetDouble());
        Assert.Equal([lora.Id], engine.HeldLoras);
    }

    [Fact]
    public async Task A_missing_auxiliary_model_is_node_missing_model_before_anything_reaches_the_node()
    {
        await using var node = await InvokeAiTestNode.StartAsync();
        var lora = Lora("sd1", 0);
        await InstallAsync(node, AddOnModels().Append(CachedLora(lora)), drop: m => m.Name == "Hard Edge Detection (canny)");
        await using var engine = await EngineAsync(node);
        var imageId = Guid.NewGuid();
        var workflow = new EngineWorkflow(Sd1Graph(lora.Id, imageId), ["decode"], new Dictionary<Guid, EngineInputImage> { [imageId] = Picture() });

        var error = await Assert.ThrowsAsync<RetryableEngineException>(() => RunAsync(engine, Job() with { Loras = [lora], Workflow = workflow }));

        Assert.Equal("node_missing_model", error.Code);
        Assert.Contains("Hard Edge Detection (canny)", error.Message);
        var record = await node.RecordAsync();
        Assert.Empty(record.Enqueued);
        Assert.Empty(record.Uploads);
    }

    [Fact]
    public async Task A_workflow_main_model_the_node_lacks_is_node_missing_model()
    {
        await using var node = await InvokeAiTestNode.StartAsync();
        await InstallAsync(node, AddOnModels(), drop: m => m.Name == "Dreamshaper 8");
        await using var engine = await EngineAsync(node);
        var imageId = Guid.NewGuid();
        var lora = Lora("sd1", 0);
        var workflow = new EngineWorkflow(Sd1Graph(lora.Id, imageId), ["decode"], new Dictionary<Guid, EngineInputImage> { [imageId] = Picture() });

        var error = await Assert.ThrowsAsync<RetryableEngineException>(() => RunAsync(engine, Job() with { Loras = [lora], Workflow = workflow }));

        Assert.Equal("node_missing_model", error.Code);
        Assert.Empty((await node.RecordAsync()).Enqueued);
    }

    /// <summary>
    /// SD 1.5 with a LoRA, a canny ControlNet on a workflow image, and two branches: 64 px in 5 steps
    /// and 32 px in 3, each decoded: the shape the server stores, with Pingvas references.
    /// </summary>
    private static JsonObject Sd1Graph(Guid loraId, Guid imageId)
    {
        static JsonObject Edge(string from, string fromField, string to, string toField) => new()
        {
            ["source"] = new JsonObject { ["node_id"] = from, ["field"] = fromField },
            ["destination"] = new JsonObject { ["node_id"] = to, ["field"] = toField },
        };
        static JsonObject N(string id, string type, JsonObject? fields = null)
        {
            var node = new JsonObject { ["id"] = id, ["type"] = type, ["is_intermediate"] = true };
            foreach (var (k, v) in fields ?? [])
            {
                node[k] = v?.DeepClone();
            }
            return node;
        }
        var nodes = new JsonObject
        {
            ["loader"] = N("loader", "main_model_loader", new() { ["model"] = new JsonObject { ["key"] = WorkflowRefs.MainPrefix + "sd-1.5", ["hash"] = "", ["name"] = "Dreamshaper 8", ["base"] = "sd-1", ["type"] = "main" } }),
            ["lora"] = N("lora", "lora_selector", new() { ["lora"] = new JsonObject { ["key"] = WorkflowRefs.LoraPrefix + loraId, ["hash"] = "", ["name"] = "my style", ["base"] = "sd-1", ["type"] = "lora" }, ["weight"] = 0.6 }),
            ["loras"] = N("loras", "collect"),
            ["lora_loader"] = N("lora_loader", "lora_collection_loader"),
            ["positive"] = N("positive", "compel", new() { ["prompt"] = "a lighthouse" }),
            ["negative"] = N("negative", "compel", new() { ["prompt"] = "" }),
            ["noise"] = N("noise", "noise", new() { ["seed"] = 7, ["width"] = 64, ["height"] = 64, ["use_cpu"] = true }),
            ["canny"] = N("canny", "canny_edge_detection", new() { ["image"] = new JsonObject { ["image_name"] = WorkflowRefs.ImagePrefix + imageId } }),
            ["control"] = N("control", "controlnet", new()
            {
                ["control_model"] = new JsonObject { ["key"] = WorkflowRefs.Aux, ["hash"] = "", ["name"] = "Hard Edge Detection (canny)", ["base"] = "sd-1", ["type"] = "controlnet" },
                ["control_weight"] = 0.9,
            }),
            ["denoise"] = N("denoise", "denoise_latents", new() { ["steps"] = 5, ["cfg_scale"] = 7.0, ["scheduler"] = "euler" }),
            ["small_noise"] = N("small_noise", "noise", new() { ["seed"] = 9, ["width"] = 32, ["height"] = 32, ["use_cpu"] = true }),
            ["small"] = N("small", "denoise_latents", new() { ["steps"] = 3, ["cfg_scale"] = 7.0, ["scheduler"] = "euler" }),
            ["decode"] = N("decode", "l2i"),
            ["small_decode"] = N("small_decode", "l2i"),
        };
        var edges = new JsonArray
        {
            Edge("lora", "lora", "loras", "item"),
            Edge("loras", "collection", "lora_loader", "loras"),
            Edge("loader", "unet", "lora_loader", "unet"),
            Edge("loader", "clip", "lora_loader", "clip"),
            Edge("lora_loader", "clip", "positive", "clip"),
            Edge("lora_loader", "clip", "negative", "clip"),
            Edge("lora_loader", "unet", "denoise", "unet"),
            Edge("positive", "conditioning", "denoise", "positive_conditioning"),
            Edge("negative", "conditioning", "denoise", "negative_conditioning"),
            Edge("noise", "noise", "denoise", "noise"),
            Edge("canny", "image", "control", "image"),
            Edge("control", "control", "denoise", "control"),
            Edge("lora_loader", "unet", "small", "unet"),
            Edge("positive", "conditioning", "small", "positive_conditioning"),
            Edge("negative", "conditioning", "small", "negative_conditioning"),
            Edge("small_noise", "noise", "small", "noise"),
            Edge("denoise", "latents", "decode", "latents"),
            Edge("loader", "vae", "decode", "vae"),
            Edge("small", "latents", "small_decode", "latents"),
            Edge("loader", "vae", "small_decode", "vae"),
        };
        return new JsonObject { ["nodes"] = nodes, ["edges"] = edges };
    }
}
