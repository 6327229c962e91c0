using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;

namespace Pingvas.Server.Jobs;

/// <summary>
/// Whether a queued or running job of the owner names an image (upload or gallery image) as its
/// input: init image, mask, or a <c>job_inputs</c> image (control, reference, workflow input) — one query. Deleting an upload or a gallery image asks this under the owner's lock, which a submit
/// holds while it resolves its inputs: an input cannot disappear between submit and run.
/// </summary>
public static class JobInputs
{
    public static Task<bool> InUseAsync(PingvasDb db, Guid ownerId, Guid imageId, CancellationToken ct) =>
        db.Jobs.AnyAsync(j => j.UserId == ownerId
            && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running)
            && (j.InitImageId == imageId || j.MaskImageId == imageId
                || db.JobInputs.Any(i => i.JobId == j.Id && i.Kind == JobInputKinds.Image && i.RefId == imageId)), ct);
}
