using Microsoft.EntityFrameworkCore;

using Pingvas.Core.Workflows;
using Pingvas.Engines;
using Pingvas.Server.Data;
using Pingvas.Server.Jobs;
using Pingvas.Server.Loras;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Generation;

/// <summary>An input image of a job is gone from the database or the object store (data loss: images in use cannot be deleted).</summary>
public sealed class InputImageMissingException(Guid jobId, Guid imageId)
    : Exception($"Input image {imageId} of generation {jobId} is missing.");

/// <summary>Builds what an engine is asked to render for a job, with its input images read from the object store.</summary>
public sealed class EngineJobs(PingvasDb db, IObjectStore store, LoraDownloads loraDownloads)
{
    public async Task<EngineJob> ForAsync(Job job, CancellationToken ct)
    {
        var request = new EngineJob(job.Id, job.ModelId, job.Prompt, job.NegativePrompt, job.Width, job.Height,
            job.Steps, job.CfgScale, job.Scheduler, job.Seed, job.BatchSize);
        request = await WithAddOnsAsync(job, request, ct);
        if (job.Graph is not null)
        {
            request = request with { Workflow = await WorkflowAsync(job, job.Graph, ct) };
        }

        return job.Kind switch
        {
            JobKind.Txt2Img => request,
            JobKind.Img2Img => request with
            {
                Kind = EngineJobKind.ImageToImage,
                InitImage = await LoadAsync(job, job.InitImageId, ct),
                Strength = job.Strength ?? 1,
            },
            JobKind.Inpaint => request with
            {
                Kind = EngineJobKind.Inpaint,
                InitImage = await LoadAsync(job, job.InitImageId, ct),
                Mask = await LoadAsync(job, job.MaskImageId, ct),
                Strength = job.Strength ?? 1,
            },
            JobKind.Upscale => request with
            {
                Kind = EngineJobKind.Upscale,
                InitImage = await LoadAsync(job, job.InitImageId, ct),
                UpscaleScale = job.UpscaleScale ?? throw new InvalidOperationException($"Upscale {job.Id} has no scale."),
            },
            _ => throw new InvalidOperationException($"Unknown job kind {job.Kind}."),
        };
    }

    /// <summary>
    /// The job's LoRAs (with signed download URLs), control images (steps as shares of the denoise)
    /// and reference. A workflow job's LoRAs are those its graph names (<c>job_inputs</c>), weight 0:
    /// the graph's own weights apply.
    /// </summary>
    private async Task<EngineJob> WithAddOnsAsync(Job job, EngineJob request, CancellationToken ct)
    {
        var addOns = JobAddOns.Parse(job.AddOns);
        var weights = addOns.Loras.ToDictionary(l => l.Id, l => l.Weight);
        if (job.Graph is not null)
        {
            weights = (await db.JobInputs.AsNoTracking().Where(i => i.JobId == job.Id && i.Kind == JobInputKinds.Lora).Select(i => i.RefId).ToListAsync(ct))
                .ToDictionary(id => id, _ => 0.0);
        }

        if (weights.Count == 0 && addOns.Control.Count == 0 && addOns.Reference is null)
        {
            return request;
        }

        var ids = weights.Keys.ToList();
        var loras = await db.Loras.AsNoTracking().Where(l => l.UserId == job.UserId && ids.Contains(l.Id)).ToDictionaryAsync(l => l.Id, ct);
        var engineLoras = new List<EngineLora>(ids.Count);
        foreach (var id in ids)
        {
            // Deleting a LoRA is refused while a waiting or running job names it: a missing one is data loss.
            var lora = loras.GetValueOrDefault(id) ?? throw new InvalidOperationException($"LoRA {id} of generation {job.Id} is missing.");

            // Built when the job starts, so the link's short life covers the install on the node, not the queue wait.
            engineLoras.Add(new EngineLora(lora.Id, lora.Family, weights[id], lora.Bytes, lora.FileHash, loraDownloads.DownloadUrl(lora).AbsoluteUri));
        }

        var steps = Math.Max(1, job.Steps);
        var controls = new List<EngineControl>(addOns.Control.Count);
        foreach (var c in addOns.Control)
        {
            controls.Add(new EngineControl(c.Type, await LoadAsync(job, c.ImageId, ct), c.Weight ?? JobAddOns.DefaultControlWeight,
                (c.BeginStep ?? 0) / (double)steps, (c.EndStep ?? steps) / (double)steps));
        }

        var reference = addOns.Reference is { } r
            ? new EngineReference(await LoadAsync(job, r.ImageId, ct), r.Weight ?? JobAddOns.DefaultReferenceWeight)
            : null;
        return request with { Loras = engineLoras, Controls = controls, Reference = reference };
    }

    /// <summary>A workflow job's stored graph with the owner's images it names, for an engine that runs graphs.</summary>
    private async Task<EngineWorkflow> WorkflowAsync(Job job, string graph, CancellationToken ct)
    {
        var stored = StoredWorkflowGraph.Parse(graph);
        var images = new Dictionary<Guid, EngineInputImage>(stored.ImageIds.Count);
        foreach (var id in stored.ImageIds)
        {
            images[id] = await LoadAsync(job, id, ct);
        }

        return new EngineWorkflow(stored.Graph, stored.OutputNodeIds, images);
    }

    private async Task<EngineInputImage> LoadAsync(Job job, Guid? imageId, CancellationToken ct)
    {
        var id = imageId ?? throw new InvalidOperationException($"Generation {job.Id} ({job.Kind}) has no input image.");

        // The owner is part of the lookup: a job only ever reads its own owner's uploads and gallery images.
        var image = (await InputImages.FindAsync(db, job.UserId, [id], ct, includeTrashed: true)).GetValueOrDefault(id)
            ?? throw new InputImageMissingException(job.Id, id);
        var found = await store.GetAsync(image.ObjectKey, ct) ?? throw new InputImageMissingException(job.Id, id);
        await using var content = found.Content;
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, ct);
        return new EngineInputImage(image.ContentType, buffer.ToArray(), image.Width, image.Height);
    }
}
