using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

using Microsoft.EntityFrameworkCore;

using Pingvas.Core.Workflows;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Tests.Loras;
using Pingvas.Server.Tests.Uploads;
using Pingvas.Server.Tests.Workflows;
using Pingvas.Testing.InvokeAi;
using Pingvas.Testing.Loras;

namespace Pingvas.Server.Tests.InvokeAi;

/// <summary>
/// Issue 11 through the real API on an InvokeAI node (the protocol test server validates every
/// enqueued graph against InvokeAI's schemas and records installs and uploads): a workflow that does
/// not lower runs as its graph, refusals move no credit and reach no node, a user's LoRA is installed
/// once from its signed URL and reused, control and reference images reach the node.
/// </summary>
public sealed partial class InvokeAiAdvancedTests(InvokeAiGenerationTests.Fixture fixture) : IClassFixture<InvokeAiGenerationTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;
    private readonly InvokeAiTestNode node = fixture.Node;

    private async Task<TestUser> UserAsync(string plan)
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, plan);
        return user;
    }

    [Fact]
    public async Task A_workflow_that_does_not_lower_runs_as_its_graph_on_the_node_and_stores_its_outputs_in_order()
    {
        var user = await UserAsync("pro");
        var before = (await user.MeAsync()).Credits.Balance;
        var workflow = TwoOutputs();

        var accepted = await user.SubmitAsync(new { kind = "workflow", workflow, inputs = new Dictionary<string, object> { ["positive.prompt"] = "a blurred fox" } });
        var done = await user.WaitForAsync(accepted.Id);

        Assert.True(done.Status == "succeeded", $"{done.Status}: {done.Error?.Code} {done.Error?.Message}");
        Assert.Equal("invokeai", done.Engine);
        var stored = StoredWorkflowGraph.Parse((await server.QueryAsync(db => db.Jobs.SingleAsync(j => j.Id == done.Id))).Graph!);
        Assert.Equal(["blur", "decode2"], stored.OutputNodeIds);
        // The job's images are the graph's outputs in that order: the 128×128 blur, then the 64×96 second pass.
        Assert.Equal([(128, 128), (64, 96)], done.Images.Select(i => (i.Width, i.Height)));

        var record = await node.RecordAsync();
        Assert.Empty(record.Violations);
        Assert.Equal("completed", Assert.Single(record.Items, i => i.Destination == done.Id.ToString("D")).Status);
        var batch = BatchOf(record, done.Id);
        var sent = batch.GetRawText();
        Assert.DoesNotContain("pingvas:", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("4a1b2c3d-not-ours", sent, StringComparison.Ordinal);
        var models = await node.GetModelsAsync();
        var dreamshaper = models.Single(m => m.Name == "Dreamshaper 8" && m.Base == "sd-1" && m.Type == "main");
        var loader = Assert.Single(Nodes(batch), n => n.GetProperty("type").GetString() == "main_model_loader");
        Assert.Equal(dreamshaper.Key, loader.GetProperty("model").GetProperty("key").GetString());
        Assert.Equal("a blurred fox", Nodes(batch).Single(n => n.GetProperty("id").GetString() == "positive").GetProperty("prompt").GetString());
        Assert.Single(Nodes(batch), n => n.GetProperty("type").GetString() == "img_blur");
        Assert.Equal(2, Nodes(batch).Count(n => n.GetProperty("type").GetString() == "denoise_latents"));

        var charges = (await user.LedgerAsync()).Where(e => e.JobId == done.Id && e.Kind == "charge").ToList();
        Assert.Equal(-done.CreditsCharged!.Value, Assert.Single(charges).Amount);
        var me = await user.MeAsync();
        Assert.Equal((before - done.CreditsCharged.Value, 0), (me.Credits.Balance, me.Credits.Reserved));
    }

    [Fact]
    public async Task Refused_workflows_move_no_credit_and_reach_no_node()
    {
        var user = await UserAsync("starter");
        var state = await server.StateAsync(user);
        var enqueued = (await node.RecordAsync()).Enqueued.Count;

        var forbidden = Blur(w => w["nodes"]!.AsArray().Add(JsonNode.Parse(
            """{"type":"invocation","data":{"id":"writer","type":"save_image_to_file","isIntermediate":true,"inputs":{}}}""")));
        var problem = await ProblemAssert.ReadAsync(await user.RunAsync(new { kind = "workflow", workflow = forbidden }), HttpStatusCode.BadRequest, "workflow_node_forbidden");

        var tooLarge = Blur(w =>
        {
            for (var i = 0; i < 150; i++)
            {
                w["nodes"]!.AsArray().Add(JsonNode.Parse("""{"type":"invocation","data":{"id":"ID","type":"integer","isIntermediate":true,"inputs":{"value":{"name":"value","value":1}}}}""".Replace("ID", $"n{i}")));
            }
        });
        await ProblemAssert.ReadAsync(await user.RunAsync(new { kind = "workflow", workflow = tooLarge }), HttpStatusCode.BadRequest, "workflow_too_large");

        // FLUX dev is a Pro model: the starter plan may not run it, even inside a graph.
        var flux = Blur(w => WorkflowKit.Data(w, "model")["inputs"]!["model"]!["value"] = JsonNode.Parse("""{"key":"x","hash":"x","name":"FLUX.1 dev","base":"flux","type":"main"}"""));
        await ProblemAssert.ReadAsync(await user.RunAsync(new { kind = "workflow", workflow = flux }), HttpStatusCode.Forbidden, "plan_forbids_model");

        Assert.NotNull(problem);
        Assert.Equal(state, await server.StateAsync(user));
        Assert.Equal(0, (await user.MeAsync()).Credits.Reserved);
        Assert.Equal(enqueued, (await node.RecordAsync()).Enqueued.Count);
    }

    [Fact]
    public async Task A_lora_is_installed_on_the_node_once_from_its_signed_url_applied_with_its_weight_and_reused()
    {
        var user = await UserAsync("pro");
        var bytes = InvokeAiTestLoras.Safetensors("sd-1", salt: Random.Shared.Next());
        var lora = await user.UploadLoraAsync(bytes, "ink.safetensors");
        Assert.Equal("sd1", lora.Family);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), lora.Sha256);
        var installsBefore = (await node.RecordAsync()).Installs.Count;

        var first = await user.GenerateAsync(new { prompt = "an ink fox", model = "sd-1.5", width = 64, height = 64, steps = 4, loras = new[] { new { id = lora.Id, weight = 0.8 } } });

        Assert.Equal("invokeai", first.Engine);
        var record = await node.RecordAsync();
        Assert.Empty(record.Violations);
        var install = Assert.Single(record.Installs.Skip(installsBefore));
        Assert.Equal("completed", install.Status);
        Assert.Matches(NodeLoraName(), install.Name);
        Assert.Equal(lora.Sha256, install.Sha256, ignoreCase: true);
        Assert.Equal((long)bytes.Length, install.Bytes);
        // The node fetched it from our signed files route (App:PublicUrl), not from anything it could guess.
        var source = new Uri(install.Source);
        Assert.Equal(server.BaseAddress.Authority, source.Authority);
        Assert.StartsWith("/api/v1/files/", source.AbsolutePath, StringComparison.Ordinal);
        Assert.Contains("sig=", source.Query, StringComparison.Ordinal);
        Assert.DoesNotContain(user.Id.ToString("N"), install.Name!, StringComparison.OrdinalIgnoreCase);
        AssertLoraApplied(BatchOf(record, first.Id), install.Key!, 0.8);

        var second = await user.GenerateAsync(new { prompt = "another ink fox", model = "sd-1.5", width = 64, height = 64, steps = 4, loras = new[] { new { id = lora.Id, weight = -0.5 } } });

        record = await node.RecordAsync();
        Assert.Single(record.Installs.Skip(installsBefore));
        Assert.Empty(record.DeletedModels);
        AssertLoraApplied(BatchOf(record, second.Id), install.Key!, -0.5);
        Assert.Empty(record.Violations);

        // An SDXL LoRA on an SD 1.5 model: refused at submit, nothing reaches the node.
        var sdxl = await user.UploadLoraAsync(LoraFiles.Sdxl(), "xl.safetensors");
        var state = await server.StateAsync(user);
        var enqueued = record.Enqueued.Count;
        var refused = await user.RunAsync(new { prompt = "a fox", model = "sd-1.5", width = 64, height = 64, steps = 4, loras = new[] { new { id = sdxl.Id, weight = 0.8 } } });
        await ProblemAssert.ReadAsync(refused, HttpStatusCode.BadRequest, "lora_family_mismatch");
        Assert.Equal(state, await server.StateAsync(user));
        record = await node.RecordAsync();
        Assert.Equal(enqueued, record.Enqueued.Count);
        Assert.Single(record.Installs.Skip(installsBefore));
    }

    [Fact]
    public async Task A_control_image_and_a_reference_image_reach_the_node_and_are_deleted_there_after()
    {
        var user = await UserAsync("pro");
        var control = await user.UploadAsync(UploadKit.Png(64, 64, seed: 11));
        var reference = await user.UploadAsync(UploadKit.Png(48, 48, seed: 12));

        var done = await user.GenerateAsync(new
        {
            prompt = "a lighthouse",
            model = "sd-1.5",
            width = 64,
            height = 64,
            steps = 4,
            control = new[] { new { imageId = control.Id, type = "canny", weight = 0.7, beginStep = 1, endStep = 3 } },
            reference = new { imageId = reference.Id, weight = 0.6 },
        });

        Assert.Equal("invokeai", done.Engine);
        var record = await node.RecordAsync();
        Assert.Empty(record.Violations);
        Assert.Equal("completed", Assert.Single(record.Items, i => i.Destination == done.Id.ToString("D")).Status);
        var batch = BatchOf(record, done.Id);
        var nodes = Nodes(batch);
        var sent = batch.GetRawText();
        var uploaded = record.Uploads.Where(u => sent.Contains(u.ImageName, StringComparison.Ordinal)).ToList();
        Assert.Equal([(48, 48), (64, 64)], uploaded.Select(u => (u.Width, u.Height)).Order());
        Assert.All(uploaded, u => Assert.True(u.IsIntermediate));
        var controlUpload = uploaded.Single(u => u.Width == 64).ImageName;
        var referenceUpload = uploaded.Single(u => u.Width == 48).ImageName;

        var models = await node.GetModelsAsync();
        var canny = Assert.Single(nodes, n => n.GetProperty("type").GetString() == "canny_edge_detection");
        Assert.Equal(controlUpload, canny.GetProperty("image").GetProperty("image_name").GetString());
        var controlnet = Assert.Single(nodes, n => n.GetProperty("type").GetString() == "controlnet");
        Assert.Equal(0.7, controlnet.GetProperty("control_weight").GetDouble(), 6);
        Assert.Equal(0.25, controlnet.GetProperty("begin_step_percent").GetDouble(), 6);
        Assert.Equal(0.75, controlnet.GetProperty("end_step_percent").GetDouble(), 6);
        Assert.Equal(models.Single(m => m.Name == "Hard Edge Detection (canny)" && m.Base == "sd-1").Key,
            controlnet.GetProperty("control_model").GetProperty("key").GetString());
        var ipAdapter = Assert.Single(nodes, n => n.GetProperty("type").GetString() == "ip_adapter");
        Assert.Equal(0.6, ipAdapter.GetProperty("weight").GetDouble(), 6);
        Assert.Equal(referenceUpload, ipAdapter.GetProperty("image").GetProperty("image_name").GetString());
        Assert.Equal(models.Single(m => m.Name == "Standard Reference (IP Adapter)" && m.Base == "sd-1").Key,
            ipAdapter.GetProperty("ip_adapter_model").GetProperty("key").GetString());

        // Nothing of the job stays on the node: both inputs and every output are deleted there.
        var item = record.Items.Single(i => i.Destination == done.Id.ToString("D"));
        await Eventually.UntilAsync(async () =>
        {
            var now = await node.RecordAsync();
            return new[] { controlUpload, referenceUpload }.Concat(item.OutputImages).All(now.DeletedImages.Contains);
        }, TimeSpan.FromSeconds(30), "the job's images to be deleted on the node");
    }

    [Fact]
    public async Task Another_users_lora_or_saved_workflow_is_not_found()
    {
        var owner = await UserAsync("pro");
        var lora = await owner.UploadLoraAsync(InvokeAiTestLoras.Safetensors("sd-1", salt: Random.Shared.Next()), "mine.safetensors");
        var saved = await owner.Client.PostAsJsonAsync("/api/v1/workflows", new { name = "Blurred", workflow = Blur() });
        Assert.True(saved.StatusCode == HttpStatusCode.Created, await saved.Content.ReadAsStringAsync());
        var workflowId = (await saved.JsonAsync()).GetProperty("id").GetGuid();

        var other = await UserAsync("pro");
        var state = await server.StateAsync(other);
        var record = await node.RecordAsync();

        var byLora = await ProblemAssert.ReadAsync(
            await other.RunAsync(new { prompt = "a fox", model = "sd-1.5", width = 64, height = 64, steps = 4, loras = new[] { new { id = lora.Id, weight = 0.8 } } }),
            HttpStatusCode.NotFound, "lora_not_found");
        await ProblemAssert.ReadAsync(await other.RunAsync(new { kind = "workflow", workflowId }), HttpStatusCode.NotFound, "workflow_not_found");
        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.GetAsync($"/api/v1/loras/{lora.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.GetAsync($"/api/v1/workflows/{workflowId}")).StatusCode);

        Assert.NotNull(byLora);
        Assert.Equal(state, await server.StateAsync(other));
        var after = await node.RecordAsync();
        Assert.Equal((record.Enqueued.Count, record.Installs.Count), (after.Enqueued.Count, after.Installs.Count));

        // The owner's own workflow runs by id on the node.
        var done = await owner.WaitForAsync((await owner.SubmitAsync(new { kind = "workflow", workflowId })).Id);
        Assert.Equal(("succeeded", "invokeai"), (done.Status, done.Engine));
    }

    [GeneratedRegex("^pingvas-lora-[0-9a-f]{32}$")]
    private static partial Regex NodeLoraName();

    private static JsonObject Blur(Action<JsonObject>? change = null)
    {
        var doc = WorkflowKit.Fixture("sd15-blur.workflow.json").AsObject();
        change?.Invoke(doc);
        return doc;
    }

    /// <summary>
    /// The blur workflow plus a second denoise pass at 64×96 from the same model and prompts, whose
    /// decode is an output too: two outputs of different sizes, nothing a plain chain lowers to.
    /// </summary>
    private static JsonObject TwoOutputs() => Blur(w =>
    {
        var nodes = w["nodes"]!.AsArray();
        nodes.Add(Invocation("noise2", "noise", true, new JsonObject { ["seed"] = 3, ["width"] = 64, ["height"] = 96, ["use_cpu"] = true }));
        nodes.Add(Invocation("denoise2", "denoise_latents", true, new JsonObject { ["steps"] = 3, ["cfg_scale"] = 7.5, ["denoising_start"] = 0.0, ["denoising_end"] = 1.0, ["scheduler"] = "euler" }));
        nodes.Add(Invocation("decode2", "l2i", false, new JsonObject { ["tiled"] = false, ["fp32"] = false }));
        var edges = w["edges"]!.AsArray();
        foreach (var (source, sourceHandle, target, targetHandle) in new[]
        {
            ("model", "unet", "denoise2", "unet"),
            ("positive", "conditioning", "denoise2", "positive_conditioning"),
            ("negative", "conditioning", "denoise2", "negative_conditioning"),
            ("noise2", "noise", "denoise2", "noise"),
            ("denoise2", "latents", "decode2", "latents"),
            ("model", "vae", "decode2", "vae"),
        })
        {
            edges.Add(new JsonObject
            {
                ["id"] = $"reactflow__edge-{source}{sourceHandle}-{target}{targetHandle}",
                ["type"] = "default",
                ["source"] = source,
                ["sourceHandle"] = sourceHandle,
                ["target"] = target,
                ["targetHandle"] = targetHandle,
            });
        }
    });

    private static JsonObject Invocation(string id, string type, bool intermediate, JsonObject values)
    {
        var inputs = new JsonObject();
        foreach (var (name, value) in values)
        {
            inputs[name] = new JsonObject { ["name"] = name, ["label"] = "", ["value"] = value?.DeepClone() };
        }
        return new JsonObject
        {
            ["id"] = id,
            ["type"] = "invocation",
            ["position"] = new JsonObject { ["x"] = 0, ["y"] = 0 },
            ["data"] = new JsonObject
            {
                ["id"] = id,
                ["type"] = type,
                ["version"] = "1.0.0",
                ["label"] = "",
                ["notes"] = "",
                ["isOpen"] = true,
                ["isIntermediate"] = intermediate,
                ["useCache"] = true,
                ["nodePack"] = "invokeai",
                ["inputs"] = inputs,
            },
        };
    }

    /// <summary>The one batch enqueued for the job.</summary>
    private static JsonElement BatchOf(InvokeAiTestRecord record, Guid jobId) =>
        Assert.Single(record.Enqueued, e => e.Batch.GetProperty("destination").GetString() == jobId.ToString("D")).Batch;

    private static List<JsonElement> Nodes(JsonElement batch) =>
        [.. batch.GetProperty("graph").GetProperty("nodes").EnumerateObject().Select(p => p.Value)];

    private static void AssertLoraApplied(JsonElement batch, string key, double weight)
    {
        var selector = Assert.Single(Nodes(batch), n => n.GetProperty("type").GetString() == "lora_selector");
        Assert.Equal(key, selector.GetProperty("lora").GetProperty("key").GetString());
        Assert.Equal(weight, selector.GetProperty("weight").GetDouble(), 6);
        Assert.Single(Nodes(batch), n => n.GetProperty("type").GetString() == "lora_collection_loader");
    }
}
