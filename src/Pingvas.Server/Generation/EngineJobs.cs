using Pingvas.Engines;
using Pingvas.Server.Data;
using Pingvas.Server.Jobs;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Generation;

/// <summary>An input image of a job is gone from the database or the object store (data loss: images in use cannot be deleted).</summary>
public sealed class InputImageMissingException(Guid jobId, Guid imageId)
    : Exception($"Input image {imageId} of generation {jobId} is missing.");

/// <summary>Builds what an engine is asked to render for a job, with its input images read from the object store.</summary>
public sealed class EngineJobs(PingvasDb db, IObjectStore store)
{
    public async Task<EngineJob> ForAsync(Job job, CancellationToken ct)
    {
        var request = new EngineJob(job.Id, job.ModelId, job.Prompt, job.NegativePrompt, job.Width, job.Height,
            job.Steps, job.CfgScale, job.Scheduler, job.Seed, job.BatchSize);
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

    private async Task<EngineInputImage> LoadAsync(Job job, Guid? imageId, CancellationToken ct)
    {
        var id = imageId ?? throw new InvalidOperationException($"Generation {job.Id} ({job.Kind}) has no input image.");

        // The owner is part of the lookup: a job only ever reads its own owner's uploads and gallery images.
        var image = (await InputImages.FindAsync(db, job.UserId, [id], ct)).GetValueOrDefault(id)
            ?? throw new InputImageMissingException(job.Id, id);
        var found = await store.GetAsync(image.ObjectKey, ct) ?? throw new InputImageMissingException(job.Id, id);
        await using var content = found.Content;
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, ct);
        return new EngineInputImage(image.ContentType, buffer.ToArray(), image.Width, image.Height);
    }
}
