using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

using Microsoft.EntityFrameworkCore;

using Pingvas.Core.Workflows;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Tests.Uploads;

namespace Pingvas.Server.Tests.Workflows;

/// <summary>Workflow runs on the procedural engine: a plain chain lowers and runs; every refusal comes before anything is written.</summary>
public sealed class WorkflowRunTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    private async Task<TestUser> StarterAsync()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        return user;
    }

    [Fact]
    public async Task A_plain_text_to_image_workflow_runs_stores_its_image_and_is_charged_once()
    {
        var user = await StarterAsync();
        var before = (await user.MeAsync()).Credits.Balance;
        var body = new { kind = "workflow", workflow = WorkflowKit.Txt2Img(), inputs = new Dictionary<string, object> { ["positive.prompt"] = "a cat", ["noise.seed"] = 5 } };

        var estimate = await (await user.Client.PostAsJsonAsync("/api/v1/generations/estimate", body)).JsonAsync();
        Assert.True(estimate.GetProperty("allowed").GetBoolean(), estimate.ToString());
        var accepted = await user.SubmitAsync(body);
        var done = await user.WaitForAsync(accepted.Id);

        Assert.Equal("succeeded", done.Status);
        Assert.Equal(estimate.GetProperty("credits").GetInt32(), accepted.ReservedCredits);
        var image = Assert.Single(done.Images);
        Assert.Equal((128, 128, 5L, "a cat", "sd-1.5"), (image.Width, image.Height, done.Seed, done.Prompt, done.Model));
        var raw = await (await user.Client.GetAsync($"/api/v1/generations/{done.Id}")).JsonAsync();
        Assert.Equal("workflow", raw.GetProperty("kind").GetString());

        var charges = (await user.LedgerAsync()).Where(e => e.JobId == done.Id && e.Kind == "charge").ToList();
        Assert.Single(charges);
        Assert.Equal(before - done.CreditsCharged!.Value, (await user.MeAsync()).Credits.Balance);

        // The job keeps the checked graph: its model named by catalog id, its outputs listed.
        var graph = StoredWorkflowGraph.Parse((await server.QueryAsync(db => db.Jobs.SingleAsync(j => j.Id == done.Id))).Graph!);
        Assert.Equal(["decode"], graph.OutputNodeIds);
        Assert.Equal("pingvas:main:sd-1.5", graph.Graph["nodes"]!["model"]!["model"]!["key"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_img2img_workflow_takes_an_upload_as_its_image_input_and_runs_as_img2img()
    {
        var user = await StarterAsync();
        var upload = await user.UploadAsync(UploadKit.Png(128, 128));
        var accepted = await user.SubmitAsync(new
        {
            kind = "workflow",
            workflow = WorkflowKit.Fixture("sd15-img2img.workflow.json"),
            inputs = new Dictionary<string, object> { ["encode.image"] = upload.Id },
        });
        var done = await user.WaitForAsync(accepted.Id);
        Assert.Equal("succeeded", done.Status);
        var job = await user.KindGenerationAsync(done.Id);
        Assert.Equal((upload.Id, 0.6), (job.InitImageId!.Value, job.Strength!.Value));

        // Another user's upload is no input of this user's workflow.
        var other = await StarterAsync();
        var state = await server.StateAsync(other);
        var refused = await other.RunAsync(new { kind = "workflow", workflow = WorkflowKit.Fixture("sd15-img2img.workflow.json"), inputs = new Dictionary<string, object> { ["encode.image"] = upload.Id } });
        await ProblemAssert.ReadAsync(refused, HttpStatusCode.BadRequest, "invalid_image_reference");
        Assert.Equal(state, await server.StateAsync(other));
    }

    [Fact]
    public async Task A_queue_api_graph_runs_too()
    {
        var user = await StarterAsync();
        var done = await user.WaitForAsync((await user.SubmitAsync(new { kind = "workflow", graph = WorkflowKit.Fixture("sd15-txt2img.graph.json") })).Id);
        Assert.Equal(("succeeded", 128, 96, 7L), (done.Status, done.Width, done.Height, done.Seed));
    }

    [Fact]
    public async Task Refusals_write_nothing_and_carry_their_codes()
    {
        var user = await StarterAsync();
        var state = await server.StateAsync(user);

        var forbidden = WorkflowKit.Txt2Img(w => w["nodes"]!.AsArray().Add(JsonNode.Parse(
            """{"type":"invocation","data":{"id":"writer","type":"save_image_to_file","isIntermediate":true,"inputs":{}}}""")));
        var response = await user.RunAsync(new { kind = "workflow", workflow = forbidden });
        await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest, "workflow_node_forbidden");
        var problem = await response.JsonAsync();
        Assert.Equal(("save_image_to_file", "writer"), (problem.GetProperty("nodeType").GetString(), problem.GetProperty("nodeId").GetString()));

        var tooLarge = WorkflowKit.Txt2Img(w =>
        {
            for (var i = 0; i < 150; i++)
            {
                w["nodes"]!.AsArray().Add(JsonNode.Parse("""{"type":"invocation","data":{"id":"ID","type":"integer","isIntermediate":true,"inputs":{"value":{"name":"value","value":1}}}}""".Replace("ID", $"n{i}")));
            }
        });
        await ProblemAssert.ReadAsync(await user.RunAsync(new { kind = "workflow", workflow = tooLarge }), HttpStatusCode.BadRequest, "workflow_too_large");

        var flux = WorkflowKit.Txt2Img(w => WorkflowKit.Data(w, "model")["inputs"]!["model"]!["value"] = JsonNode.Parse("""{"key":"x","hash":"x","name":"FLUX.1 dev","base":"flux","type":"main"}"""));
        await ProblemAssert.ReadAsync(await user.RunAsync(new { kind = "workflow", workflow = flux }), HttpStatusCode.Forbidden, "plan_forbids_model");

        var unknown = WorkflowKit.Txt2Img(w => WorkflowKit.Data(w, "model")["inputs"]!["model"]!["value"]!["name"] = "Some Checkpoint");
        await ProblemAssert.ReadAsync(await user.RunAsync(new { kind = "workflow", workflow = unknown }), HttpStatusCode.BadRequest, "unknown_workflow_model");

        var withLora = WorkflowKit.Txt2Img(w => w["nodes"]!.AsArray().Add(JsonNode.Parse(
            """{"type":"invocation","data":{"id":"lora","type":"lora_loader","isIntermediate":true,"inputs":{"lora":{"name":"lora","value":{"key":"k","hash":"h","name":"My style","base":"sd-1","type":"lora"}},"weight":{"name":"weight","value":0.8}}}}""")));
        var loraFeature = await user.RunAsync(new { kind = "workflow", workflow = withLora });
        await ProblemAssert.ReadAsync(loraFeature, HttpStatusCode.Forbidden, "plan_forbids_feature");
        Assert.Equal("loras", (await loraFeature.JsonAsync()).GetProperty("feature").GetString());

        await ProblemAssert.ReadAsync(await user.RunAsync(new { kind = "workflow", workflow = WorkflowKit.Txt2Img(), inputs = new Dictionary<string, object> { ["noise.width"] = 64 } }),
            HttpStatusCode.BadRequest, "invalid_workflow_input");
        await ProblemAssert.ValidationAsync(await user.RunAsync(new { kind = "workflow", workflow = WorkflowKit.Txt2Img(), prompt = "x" }), "prompt");
        await ProblemAssert.ReadAsync(await user.RunAsync(new { kind = "workflow", workflowId = Guid.NewGuid() }), HttpStatusCode.NotFound, "workflow_not_found");
        Assert.Equal(state, await server.StateAsync(user));

        // On Pro the LoRA node is allowed, but the graph names a LoRA the user does not have.
        var pro = await server.RegisterAsync();
        await server.SetPlanAsync(pro.Id, "pro");
        var proState = await server.StateAsync(pro);
        await ProblemAssert.ReadAsync(await pro.RunAsync(new { kind = "workflow", workflow = withLora }), HttpStatusCode.BadRequest, "unknown_workflow_model");
        Assert.Equal(proState, await server.StateAsync(pro));

        var free = await server.RegisterAsync();
        var freeState = await server.StateAsync(free);
        var feature = await free.RunAsync(new { kind = "workflow", workflow = WorkflowKit.Txt2Img() });
        await ProblemAssert.ReadAsync(feature, HttpStatusCode.Forbidden, "plan_forbids_feature");
        Assert.Equal("workflows", (await feature.JsonAsync()).GetProperty("feature").GetString());
        Assert.Equal(freeState, await server.StateAsync(free));
    }

    [Fact]
    public async Task A_graph_that_is_not_a_plain_chain_needs_a_gpu_worker_on_the_embedded_default()
    {
        var user = await StarterAsync();
        var state = await server.StateAsync(user);
        await ProblemAssert.ReadAsync(await user.RunAsync(new { kind = "workflow", workflow = WorkflowKit.Fixture("sd15-blur.workflow.json") }),
            HttpStatusCode.Conflict, "workflow_needs_gpu_worker");
        Assert.Equal(state, await server.StateAsync(user));
    }

    [Fact]
    public async Task Images_the_graph_uses_beyond_the_init_image_are_job_inputs_while_it_waits()
    {
        var user = await StarterAsync();
        var upload = await user.UploadAsync(UploadKit.Png(64, 64));
        var workflow = WorkflowKit.Txt2Img(w =>
        {
            w["nodes"]!.AsArray().Add(JsonNode.Parse("""{"type":"invocation","data":{"id":"ref","type":"image","isIntermediate":true,"inputs":{"image":{"name":"image"}}}}"""));
            w["exposedFields"]!.AsArray().Add(JsonNode.Parse("""{"nodeId":"ref","fieldName":"image"}"""));
        });
        var accepted = await user.SubmitAsync(new { kind = "workflow", workflow, inputs = new Dictionary<string, object> { ["ref.image"] = upload.Id } });

        var inputs = await server.QueryAsync(db => db.JobInputs.Where(i => i.JobId == accepted.Id).ToListAsync());
        var input = Assert.Single(inputs);
        Assert.Equal(("image", upload.Id, user.Id), (input.Kind, input.RefId, input.UserId));
        Assert.Equal("succeeded", (await user.WaitForAsync(accepted.Id)).Status);
    }
}
