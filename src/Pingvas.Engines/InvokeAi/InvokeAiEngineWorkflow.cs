using System.Text.Json.Nodes;

namespace Pingvas.Engines.InvokeAi;

/// <summary>Workflow jobs: the job's own graph, resolved on this node and run as one queue item.</summary>
public sealed partial class InvokeAiEngine
{
    private async Task<EngineResult> RunWorkflowAsync(
        EngineJob job, EngineWorkflow workflow, InvokeAiNodeModels models, InvokeAiEventStream.Subscription subscription,
        List<string> uploads, Action<InvokeAiLoraLease> onLease, Func<EngineProgress, ValueTask> onProgress, CancellationToken ct)
    {
        if (workflow.OutputNodeIds.Count == 0)
        {
            throw new ArgumentException("A workflow needs at least one output node.", nameof(job));
        }
        // A model this node lacks fails the attempt before anything is uploaded or installed.
        InvokeAiWorkflowGraph.CheckModels(workflow, models, Instance);

        var images = new Dictionary<Guid, string>();
        foreach (var id in InvokeAiWorkflowGraph.ImageIds(workflow.Graph))
        {
            var image = workflow.Images.GetValueOrDefault(id) ?? throw new ArgumentException($"Workflow image {id} is not in the job.", nameof(job));
            var name = await _client.UploadAsync(image.Bytes, image.ContentType, "user", ct);
            uploads.Add(name);
            images[id] = name;
        }
        IReadOnlyDictionary<Guid, InvokeAiModel> loras = new Dictionary<Guid, InvokeAiModel>();
        var loraIds = InvokeAiWorkflowGraph.LoraIds(workflow.Graph);
        if (loraIds.Count > 0)
        {
            var wanted = loraIds
                .Select(id => job.Loras.FirstOrDefault(l => l.Id == id) ?? throw new ArgumentException($"Workflow LoRA {id} is not in the job's LoRAs.", nameof(job)))
                .ToList();
            var lease = await _loras.AcquireAsync(wanted, ct);
            onLease(lease);
            loras = lease.Models;
        }

        var graph = InvokeAiWorkflowGraph.Resolve(workflow, models, loras, images, Instance);
        graph["id"] = $"pingvas-{job.JobId:D}-0";
        var progress = new WorkflowProgress(WorkflowProgress.DenoiseSteps(graph), job.Steps, _options.PreviewsPerSecond, _time);
        var outcome = await EnqueueAndFollowAsync(job, graph, workflow.OutputNodeIds[0], subscription, p => progress.ReportAsync(p, onProgress), ct);

        var produced = outcome.Item.ResultImageNames().Append(outcome.ImageName).Distinct(StringComparer.Ordinal).ToList();
        try
        {
            var results = new List<EngineImage>();
            foreach (var outputId in workflow.OutputNodeIds)
            {
                foreach (var name in outcome.Item.OutputImageNames(outputId))
                {
                    var pixels = await FetchImageAsync(name, ct);
                    var index = results.Count;
                    var metadata = Metadata(job, index, job.Seed);
                    metadata["kind"] = "workflow";
                    metadata["workflowOutput"] = outputId;
                    metadata["workflow"] = workflow.Graph.ToJsonString();
                    results.Add(new EngineImage(index, job.Seed, pixels, metadata));
                }
            }
            if (results.Count == 0)
            {
                throw new InvokeAiNodeErrorException("no_output", "The workflow completed without an image from its output nodes.");
            }
            return new EngineResult(EngineName, results, outcome.Item.ComputeTime, outcome.ModelLoadTime);
        }
        finally
        {
            await DeleteImagesQuietlyAsync(produced);
        }
    }
}
