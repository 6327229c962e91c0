using System.Text.Json.Nodes;

using Pingvas.Core.Credits;
using Pingvas.Core.Generation;
using Pingvas.Core.Workflows;

namespace Pingvas.Core.Tests.Workflows;

public sealed class WorkflowCostAndLoweringTests
{
    private static readonly WorkflowNodeCatalog Catalog = WorkflowNodeCatalog.Default;

    [Fact]
    public void A_plain_text_to_image_costs_what_the_same_txt2img_costs()
    {
        var done = WorkflowFixtures.Check(WorkflowFixtures.Read("sd15-txt2img.workflow.json"));
        Assert.Equal(CostEstimator.Estimate(TestCatalog.Sd15, 128, 128, 4, 1), WorkflowCost.Estimate(done, Catalog, TestCatalog.Sd15, 1024));
    }

    [Fact]
    public void Controlnet_and_ip_adapter_nodes_add_their_share_and_an_unknown_size_prices_the_plan_max_square()
    {
        var root = JsonNode.Parse(WorkflowFixtures.Text("sd15-txt2img.graph.json"))!["graph"]!.AsObject();
        root["nodes"]!["cn"] = new JsonObject { ["id"] = "cn", ["type"] = "controlnet" };
        root["nodes"]!["ip"] = new JsonObject { ["id"] = "ip", ["type"] = "ip_adapter" };
        root["nodes"]!["noise"]!.AsObject().Remove("width");
        var (graph, _) = WorkflowReader.Read(root.ToJsonString(), WorkflowReader.GraphFormat);
        var done = WorkflowFixtures.Check(graph!);

        var plain = CostEstimator.Estimate(TestCatalog.Sdxl, 1024, 96, 5, 1);
        Assert.Equal((int)Math.Ceiling(Math.Round(plain * 1.25, 6)), WorkflowCost.Estimate(done, Catalog, TestCatalog.Sdxl, 1024));
    }

    [Fact]
    public void A_spandrel_upscale_adds_an_upscale_of_the_plan_max_square()
    {
        var root = JsonNode.Parse(WorkflowFixtures.Text("sd15-txt2img.graph.json"))!["graph"]!.AsObject();
        root["nodes"]!["up"] = new JsonObject { ["id"] = "up", ["type"] = "spandrel_image_to_image", ["is_intermediate"] = false };
        var (graph, _) = WorkflowReader.Read(root.ToJsonString(), WorkflowReader.GraphFormat);
        var done = WorkflowFixtures.Check(graph!);
        Assert.Equal(CostEstimator.Estimate(TestCatalog.Sd15, 128, 96, 5, 1) + KindCosts.Upscale(TestCatalog.Sd15, 1024, 1024),
            WorkflowCost.Estimate(done, Catalog, TestCatalog.Sd15, 1024));
        Assert.Null(WorkflowLowering.Lower(done));
    }

    [Fact]
    public void A_plain_text_to_image_lowers_to_txt2img_with_its_fields()
    {
        var done = WorkflowFixtures.Check(WorkflowFixtures.Read("sd15-txt2img.workflow.json"), new Dictionary<string, object> { ["positive.prompt"] = "a cat", ["noise.seed"] = 5 });
        Assert.Equal(new LoweredJob("txt2img", "a cat", "blurry", 128, 128, 4, 7.5, "euler", 5, null, null, null), WorkflowLowering.Lower(done));

        var graph = WorkflowFixtures.Check(WorkflowFixtures.Read("sd15-txt2img.graph.json"));
        Assert.Equal(new LoweredJob("txt2img", "a red bicycle", null, 128, 96, 5, 6.0, "euler", 7, null, null, null), WorkflowLowering.Lower(graph));
    }

    [Fact]
    public void An_encoded_init_image_lowers_to_img2img_with_strength_one_minus_the_start()
    {
        var id = Guid.NewGuid();
        var done = WorkflowFixtures.Check(WorkflowFixtures.Read("sd15-img2img.workflow.json"), new Dictionary<string, object> { ["encode.image"] = id.ToString() });
        var lowered = WorkflowLowering.Lower(done)!;
        Assert.Equal(("img2img", 0.6, id, (Guid?)null, 4), (lowered.Kind, lowered.Strength!.Value, lowered.InitImageId!.Value, lowered.MaskImageId, lowered.Steps));
    }

    [Fact]
    public void A_denoise_mask_over_the_init_image_lowers_to_inpaint()
    {
        var root = JsonNode.Parse(WorkflowFixtures.Text("sd15-img2img.workflow.json"))!.AsObject();
        var mask = Guid.NewGuid();
        root["nodes"]!.AsArray().Add(JsonNode.Parse("""{"type":"invocation","data":{"id":"mask","type":"create_denoise_mask","isIntermediate":true,"inputs":{"mask":{"name":"mask","value":{"image_name":"m.png"}}}}}"""));
        root["edges"]!.AsArray().Add(JsonNode.Parse("""{"source":"mask","sourceHandle":"denoise_mask","target":"denoise","targetHandle":"denoise_mask"}"""));
        root["exposedFields"]!.AsArray().Add(JsonNode.Parse("""{"nodeId":"mask","fieldName":"mask"}"""));
        var (graph, _) = WorkflowReader.Read(root.ToJsonString(), WorkflowReader.EditorFormat);
        var init = Guid.NewGuid();
        var done = WorkflowFixtures.Check(graph!, new Dictionary<string, object> { ["encode.image"] = init.ToString(), ["mask.mask"] = mask.ToString() });

        var lowered = WorkflowLowering.Lower(done)!;
        Assert.Equal(("inpaint", init, mask), (lowered.Kind, lowered.InitImageId!.Value, lowered.MaskImageId!.Value));
        Assert.Equal([init, mask], done.Images);
    }

    [Fact]
    public void A_blur_after_the_decode_does_not_lower()
    {
        var done = WorkflowFixtures.Check(WorkflowFixtures.Read("sd15-blur.workflow.json"));
        Assert.Equal(["blur"], done.Outputs);
        Assert.Null(WorkflowLowering.Lower(done));
    }
}
