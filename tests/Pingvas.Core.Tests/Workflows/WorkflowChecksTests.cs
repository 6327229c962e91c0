using System.Text.Json.Nodes;

using Pingvas.Core.Workflows;

namespace Pingvas.Core.Tests.Workflows;

public sealed class WorkflowChecksTests
{
    private static readonly WorkflowNodeCatalog Catalog = WorkflowNodeCatalog.Default;

    private static WorkflowError? Refusal(WorkflowGraph graph, object? inputs = null, int maxSide = 1024, int maxBatch = 4, WorkflowLimits? limits = null) =>
        WorkflowChecks.Check(graph, Catalog, limits ?? new WorkflowLimits(), inputs is null ? null : WorkflowFixtures.Inputs(inputs), maxSide, maxBatch).Error;

    /// <summary>The graph fixture with a change made to its JSON first.</summary>
    private static WorkflowGraph Graph(Action<JsonObject> change)
    {
        var root = JsonNode.Parse(WorkflowFixtures.Text("sd15-txt2img.graph.json"))!["graph"]!.AsObject();
        change(root);
        var (graph, error) = WorkflowReader.Read(root.ToJsonString(), WorkflowReader.GraphFormat);
        Assert.Null(error);
        return graph!;
    }

    private static JsonObject Edge(string s, string sf, string t, string tf) =>
        new() { ["source"] = new JsonObject { ["node_id"] = s, ["field"] = sf }, ["destination"] = new JsonObject { ["node_id"] = t, ["field"] = tf } };

    [Theory]
    [InlineData("save_image_to_file")]
    [InlineData("iterate")]
    [InlineData("range")]
    [InlineData("call_saved_workflow")]
    [InlineData("prompt_from_file")]
    [InlineData("openai_image_generation")]
    [InlineData("depth_anything_depth_estimation")]
    public void A_node_off_the_allow_list_is_refused_by_type_and_id(string type)
    {
        var graph = Graph(g => g["nodes"]!["bad"] = new JsonObject { ["id"] = "bad", ["type"] = type });
        var error = Refusal(graph)!;
        Assert.Equal(("workflow_node_forbidden", type, "bad"), (error.Code, error.NodeType, error.NodeId));
    }

    [Fact]
    public void Node_and_edge_counts_and_total_steps_are_limited()
    {
        var graph = WorkflowFixtures.Read("sd15-txt2img.workflow.json");
        Assert.Null(Refusal(graph, limits: new WorkflowLimits { MaxNodes = 6, MaxEdges = 8, MaxTotalSteps = 4 }));
        Assert.Contains("7 nodes", Refusal(Graph(g => g["nodes"]!["extra"] = new JsonObject { ["id"] = "extra", ["type"] = "integer", ["value"] = 1 }), limits: new WorkflowLimits { MaxNodes = 6 })!.Detail);
        Assert.Equal("workflow_too_large", Refusal(graph, limits: new WorkflowLimits { MaxEdges = 7 })!.Code);
        Assert.Contains("4 steps", Refusal(graph, limits: new WorkflowLimits { MaxTotalSteps = 3 })!.Detail);
    }

    [Fact]
    public void Outputs_beyond_the_plan_batch_and_sides_beyond_its_max_side_are_too_large()
    {
        var graph = WorkflowFixtures.Read("sd15-txt2img.workflow.json");
        Assert.Equal("workflow_too_large", Refusal(graph, maxSide: 120)!.Code);
        var twoOutputs = Graph(g =>
        {
            g["nodes"]!["resize"] = new JsonObject { ["id"] = "resize", ["type"] = "img_resize", ["width"] = 64, ["height"] = 64, ["is_intermediate"] = false };
            g["edges"]!.AsArray().Add(Edge("decode", "image", "resize", "image"));
        });
        Assert.Null(Refusal(twoOutputs, maxBatch: 2));
        Assert.Contains("2 images", Refusal(twoOutputs, maxBatch: 1)!.Detail);
    }

    [Fact]
    public void A_cycle_and_a_graph_without_an_image_output_are_invalid()
    {
        var cycle = Graph(g => g["edges"]!.AsArray().Add(Edge("decode", "image", "noise", "width")));
        Assert.Contains("cycle", Refusal(cycle)!.Detail);
        var noOutput = Graph(g => g["nodes"]!["decode"]!["is_intermediate"] = true);
        Assert.Equal("invalid_workflow", Refusal(noOutput)!.Code);
    }

    [Fact]
    public void Inputs_set_exposed_fields_by_their_schema_type()
    {
        var graph = WorkflowFixtures.Read("sd15-txt2img.workflow.json");
        var done = WorkflowFixtures.Check(graph, new Dictionary<string, object> { ["positive.prompt"] = "a cat", ["noise.seed"] = 9 });
        Assert.Equal("a cat", done.Graph.Node("positive")!.Fields["prompt"]!.GetValue<string>());
        Assert.Equal(9, done.Graph.Node("noise")!.Fields["seed"]!.GetValue<int>());

        Assert.Equal("invalid_workflow_input", Refusal(WorkflowFixtures.Read("sd15-txt2img.workflow.json"), new Dictionary<string, object> { ["noise.width"] = 64 })!.Code);
        Assert.Contains("whole number", Refusal(WorkflowFixtures.Read("sd15-txt2img.workflow.json"), new Dictionary<string, object> { ["noise.seed"] = 1.5 })!.Detail);
        Assert.Contains("between", Refusal(WorkflowFixtures.Read("sd15-txt2img.workflow.json"), new Dictionary<string, object> { ["noise.seed"] = -1 })!.Detail);
        Assert.Contains("must be a string", Refusal(WorkflowFixtures.Read("sd15-txt2img.workflow.json"), new Dictionary<string, object> { ["positive.prompt"] = 3 })!.Detail);
    }

    [Fact]
    public void Exposed_fields_are_described_with_type_value_and_bounds()
    {
        var fields = WorkflowInputs.Describe(WorkflowFixtures.Read("sd15-img2img.workflow.json"), Catalog);
        Assert.Equal([("positive", "prompt", "Prompt", "string"), ("encode", "image", "Init image", "image")], fields.Select(f => (f.NodeId, f.Field, f.Label, f.Type)));
        var seed = WorkflowInputs.Describe(WorkflowFixtures.Read("sd15-txt2img.workflow.json"), Catalog)[1];
        Assert.Equal(("integer", 42, 0d, 4294967295d), (seed.Type, seed.Value!.GetValue<int>(), seed.Min, seed.Max));
    }

    [Fact]
    public void An_image_field_takes_an_image_id_and_a_literal_image_name_nobody_set_is_refused()
    {
        var id = Guid.NewGuid();
        var done = WorkflowFixtures.Check(WorkflowFixtures.Read("sd15-img2img.workflow.json"), new Dictionary<string, object> { ["encode.image"] = id.ToString() });
        Assert.Equal([id], done.Images);
        Assert.Equal("pingvas:image:" + id.ToString("D"), done.Graph.Node("encode")!.Fields["image"]!["image_name"]!.GetValue<string>());

        var literal = Refusal(WorkflowFixtures.Read("sd15-img2img.workflow.json"))!;
        Assert.Equal("invalid_workflow_input", literal.Code);
        Assert.Contains("someones-local-file.png", literal.Detail);
        Assert.Equal("invalid_workflow_input", Refusal(WorkflowFixtures.Read("sd15-img2img.workflow.json"), new Dictionary<string, object> { ["encode.image"] = "x.png" })!.Code);
    }

    [Fact]
    public void Model_fields_are_listed_by_name_base_and_type()
    {
        var done = WorkflowFixtures.Check(WorkflowFixtures.Read("sd15-txt2img.workflow.json"));
        Assert.Equal([new ModelUse("model", "model", "Dreamshaper 8", "sd-1", "main")], done.Models);
    }

    [Fact]
    public void Denoise_steps_count_after_the_start_share_and_computed_steps_are_refused()
    {
        var img2img = WorkflowFixtures.Check(WorkflowFixtures.Read("sd15-img2img.workflow.json"), new Dictionary<string, object> { ["encode.image"] = Guid.NewGuid().ToString() });
        Assert.Equal([new DenoisePass("denoise", "denoise_latents", 3, 128, 128)], img2img.Denoises);

        var computed = Graph(g =>
        {
            g["nodes"]!["steps"] = new JsonObject { ["id"] = "steps", ["type"] = "add", ["a"] = 2, ["b"] = 3 };
            g["nodes"]!["denoise"]!.AsObject().Remove("steps");
            g["edges"]!.AsArray().Add(Edge("steps", "value", "denoise", "steps"));
        });
        Assert.Contains("literal 'steps'", Refusal(computed)!.Detail);
    }
}

public sealed class WorkflowNodeCatalogTests
{
    [Fact]
    public void The_embedded_list_allows_the_core_nodes_and_its_auxiliary_models_match_by_type_base_and_name()
    {
        var catalog = WorkflowNodeCatalog.Default;
        Assert.Equal(("denoise", false), (catalog.Nodes["denoise_latents"].Category, catalog.Nodes["denoise_latents"].ImageOutput));
        Assert.True(catalog.Nodes["l2i"].ImageOutput);
        Assert.False(catalog.Nodes["image"].ImageOutput);
        Assert.Equal(4294967295d, catalog.Field("noise", "seed")!.Max);
        Assert.Contains("euler", catalog.Field("denoise_latents", "scheduler")!.Options!);
        Assert.Equal("model", catalog.Field("lora_loader", "lora")!.Type);

        Assert.True(catalog.IsAuxiliary("vae", "sdxl", "sdxl-vae-fp16-fix"));
        Assert.False(catalog.IsAuxiliary("vae", "sd-1", "sdxl-vae-fp16-fix"));
        Assert.True(catalog.IsAuxiliary("t5_encoder", "flux", "t5_base_encoder"));
        Assert.False(catalog.IsAuxiliary("main", "sd-1", "Dreamshaper 8"));
    }

    [Fact]
    public void A_replacement_list_is_read_from_its_json()
    {
        var catalog = WorkflowNodeCatalog.Parse("""
            {"nodes": {"noise": {"category": "noise", "imageOutput": false, "fields": {"seed": {"type": "integer", "min": 0}}}},
             "auxiliaryModels": [{"type": "vae", "base": "any", "name": "My VAE"}]}
            """);
        Assert.Equal(["noise"], catalog.Nodes.Keys);
        Assert.Equal(0d, catalog.Field("noise", "seed")!.Min);
        Assert.True(catalog.IsAuxiliary("vae", "flux", "My VAE"));
        var (graph, _) = WorkflowReader.Read(WorkflowFixtures.Text("sd15-txt2img.graph.json"), WorkflowReader.GraphFormat);
        Assert.Equal("workflow_node_forbidden", WorkflowChecks.CheckShape(graph!, catalog, new WorkflowLimits())!.Code);
    }
}
