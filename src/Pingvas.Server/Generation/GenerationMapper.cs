using Pingvas.Server.Gallery;
using Pingvas.Server.Jobs;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Generation;

/// <summary>Builds the client view of a job, with freshly signed image URLs.</summary>
public sealed class GenerationMapper(IObjectUrls urls)
{
    public GenerationDto ToDto(Job job, IEnumerable<Image> images, int? queuePosition)
    {
        var total = job.ProgressTotal > 0 ? job.ProgressTotal : job.Steps * job.BatchSize;
        var step = job.Status == JobStatus.Succeeded ? total : job.ProgressStep;
        var percent = total == 0 ? 0 : (int)Math.Floor(100.0 * step / total);
        var addOns = JobAddOns.Parse(job.AddOns);
        return new GenerationDto(
            job.Id,
            job.Status.ToString().ToLowerInvariant(),
            job.ModelId,
            job.Prompt,
            job.NegativePrompt,
            job.Width,
            job.Height,
            job.Steps,
            job.CfgScale,
            job.Scheduler,
            job.Seed,
            job.BatchSize,
            job.Status == JobStatus.Queued ? queuePosition : null,
            new ProgressDto(step, total, percent),
            images.OrderBy(i => i.BatchIndex).Select(ToRef).ToList(),
            job.ComputeMs is { } ms ? Math.Round(ms / 1000.0, 3) : null,
            job.ReservedCredits,
            job.CreditsCharged,
            job.Engine,
            job.ErrorCode is null ? null : new ErrorDto(job.ErrorCode, job.Error ?? job.ErrorCode),
            job.CreatedAt,
            job.StartedAt,
            job.FinishedAt)
        {
            Kind = job.Graph is null ? GenerationKinds.NameOf(job.Kind) : "workflow",
            WorkflowId = job.WorkflowId,
            InitImageId = job.Kind == JobKind.Upscale ? null : job.InitImageId,
            MaskImageId = job.MaskImageId,
            Strength = job.Strength,
            ImageId = job.Kind == JobKind.Upscale ? job.InitImageId : null,
            Scale = job.UpscaleScale,
            Loras = addOns.Loras,
            Control = addOns.Control,
            Reference = addOns.Reference,
        };
    }

    public ImageRefDto ToRef(Image image) =>
        new(image.Id, urls.UrlFor(image.OriginalKey), urls.UrlFor(image.Thumb256Key), urls.UrlFor(image.Thumb512Key), image.Width, image.Height, image.Seed);
}
