using Microsoft.EntityFrameworkCore;

using Pingvas.Core.Gallery;
using Pingvas.Server.Gallery;
using Pingvas.Server.Jobs;

namespace Pingvas.Server.Generation;

/// <summary>
/// The gallery's part of a submit: <c>tags</c> (normalised, given to every image of the job when it
/// succeeds) and <c>sourceImageId</c> (the gallery image "use again" copied, whose use count rises in
/// the submit's transaction, so a refused submit counts nothing).
/// </summary>
public sealed partial class GenerationService
{
    /// <summary>The request's tags checked; an invalid outcome when they break the tag rules, else null.</summary>
    private static SubmitOutcome.Invalid? GalleryFieldErrors(GenerationRequest request) =>
        request.Tags is not null && GalleryText.Tags(request.Tags, out var error) is null ? Invalid("tags", error!) : null;

    /// <summary>Sets the job's tags from the (already checked) request.</summary>
    private static void AttachTags(Job job, GenerationRequest request) =>
        job.Tags = JobTags.ToJson(GalleryText.Tags(request.Tags, out _) ?? []);

    /// <summary>
    /// Inside the submit's transaction: counts one more use of the source image, in one statement keyed
    /// to the owner (the query filter leaves trashed images out); a refusal when it is not the owner's image.
    /// </summary>
    private async Task<SubmitOutcome.Refused?> UseSourceImageAsync(Guid userId, GenerationRequest request, CancellationToken ct)
    {
        if (request.SourceImageId is not { } id)
        {
            return null;
        }

        var counted = await db.Images.Where(i => i.Id == id && i.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.UseCount, i => i.UseCount + 1), ct);
        return counted == 1 ? null
            : new SubmitOutcome.Refused(SubmitRefusal.ImageNotFound, "'sourceImageId' is not one of your gallery images.") { Subject = "sourceImageId" };
    }
}
