using System.Text.Json.Nodes;

using Pingvas.Core.Workflows;

namespace Pingvas.Core.Tests.Workflows;

public sealed class WorkflowReaderTests
{
    [Fact]
    public void An_editor_workflow_reads_its_invocations_edges_and_exposed_fields_and_drops_notes_and_collapsed_edges()
    {
        var graph = WorkflowFixtures.Read("sd15-txt2img.workflow.json");

        Assert.Equal(["model", "positive", "negative", "noise", "denoise", "decode"], graph.Nodes.Select(n => n.Id));
        Assert.Equal(8, graph.Edges.Count);
        Assert.Equal([new ExposedFieldRef("positive", "prompt", "Prompt"), new ExposedFieldRef("noise", "seed", "Seed")], graph.Exposed);
        Assert.Equal("a lighthouse at dusk", graph.Node("positive")!.Fields["prompt"]!.GetValue<string>());
        Assert.False(graph.Node("decode")!.IsIntermediate);

        // A connected input loses its literal, as InvokeAI's buildNodesGraph does.
        Assert.False(graph.Node("decode")!.Fields.ContainsKey("latents"));
    }

    [Fact]
    public void A_wrapped_queue_graph_reads_and_an_unwrapped_one_reads_the_same()
    {
        var text = WorkflowFixtures.Text("sd15-txt2img.graph.json");
        var (wrapped, e1) = WorkflowReader.Read(text, WorkflowReader.GraphFormat);
        var (plain, e2) = WorkflowReader.Read(JsonNode.Parse(text)!["graph"]!.ToJsonString(), WorkflowReader.GraphFormat);

        Assert.Null(e1);
        Assert.Null(e2);
        Assert.Equal(wrapped!.Nodes.Select(n => (n.Id, n.Type)), plain!.Nodes.Select(n => (n.Id, n.Type)));
        Assert.Equal(8, wrapped.Edges.Count);
        Assert.Equal(new WorkflowEdge("noise", "noise", "denoise", "noise"), wrapped.Edges[5]);
        Assert.Empty(wrapped.Exposed);
        Assert.Equal(96, wrapped.Node("noise")!.Fields["height"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("{\"nodes\": 3, \"edges\": []}", "nodes")]
    [InlineData("{\"nodes\": {\"a\": {\"id\": \"b\", \"type\": \"noise\"}}}", "has id 'b'")]
    [InlineData("{\"nodes\": {\"a\": {\"type\": \"noise\"}}, \"edges\": [{\"source\": {\"node_id\": \"a\", \"field\": \"noise\"}, \"destination\": {\"node_id\": \"zz\", \"field\": \"noise\"}}]}", "no node")]
    [InlineData("{not json", "not valid JSON")]
    public void Unreadable_graphs_are_invalid_workflow(string json, string detail)
    {
        var (graph, error) = WorkflowReader.Read(json, WorkflowReader.GraphFormat);
        Assert.Null(graph);
        Assert.Equal("invalid_workflow", error!.Code);
        Assert.Contains(detail, error.Detail);
    }

    [Fact]
    public void A_document_over_one_mebibyte_is_too_large()
    {
        var json = "{\"nodes\": {}, \"pad\": \"" + new string('x', WorkflowReader.MaxDocumentBytes) + "\"}";
        Assert.Equal("workflow_too_large", WorkflowReader.Read(json, WorkflowReader.GraphFormat).Error!.Code);
    }

    [Fact]
    public void The_stored_graph_round_trips_with_its_outputs_images_and_loras()
    {
        var graph = WorkflowFixtures.Read("sd15-img2img.workflow.json");
        var image = Guid.NewGuid();
        var lora = Guid.NewGuid();
        var checkedWorkflow = WorkflowFixtures.Check(graph, new Dictionary<string, object> { ["encode.image"] = image.ToString() });
        graph.Node("model")!.Fields["model"]!["key"] = "pingvas:lora:" + lora.ToString("D");

        var stored = StoredWorkflowGraph.Parse(graph.ToStoredGraph(checkedWorkflow.Outputs).ToJsonString());

        Assert.Equal(["decode"], stored.OutputNodeIds);
        Assert.Equal([image], stored.ImageIds);
        Assert.Equal([lora], stored.LoraIds);
        Assert.False(stored.Graph.ContainsKey("outputs"));
        Assert.Equal("i2l", stored.Graph["nodes"]!["encode"]!["type"]!.GetValue<string>());
        Assert.Equal("pingvas:image:" + image.ToString("D"), stored.Graph["nodes"]!["encode"]!["image"]!["image_name"]!.GetValue<string>());
    }
}
