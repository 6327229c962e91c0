using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Gallery;
using Pingvas.Server.Uploads;

namespace Pingvas.Server.Generation;

/// <summary>An image a job starts from: one of the owner's uploads, or one of the owner's gallery images (its PNG original).</summary>
public sealed record InputImage(Guid Id, string ObjectKey, string ContentType, int Width, int Height)
{
    public static InputImage From(Upload upload) => new(upload.Id, upload.ObjectKey, upload.ContentType, upload.Width, upload.Height);

    public static InputImage From(Image image) => new(image.Id, image.OriginalKey, "image/png", image.Width, image.Height);
}

/// <summary>
/// Finds the images a job names by id. Jobs store only the id (<c>init_image_id</c>,
/// <c>mask_image_id</c>), which may be an upload's or a gallery image's: both are UUIDv7s from the
/// one generator, so an id names at most one of them. The owner is in every lookup, so another
/// user's image is as unknown as a missing one.
/// </summary>
public static class InputImages
{
    /// <summary>The owner's uploads and gallery images among <paramref name="ids"/>, by id; ids not found are absent.</summary>
    /// <param name="includeTrashed">
    /// A running job reads its inputs with this: an image trashed after the submit keeps its objects
    /// until the job ends (the purge skips it). A submit never takes a trashed image.
    /// </param>
    public static async Task<Dictionary<Guid, InputImage>> FindAsync(PingvasDb db, Guid ownerId, IReadOnlyCollection<Guid> ids, CancellationToken ct, bool includeTrashed = false)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        // Uploads first (the usual case, one query); gallery images only for what is left.
        var found = (await db.Uploads.AsNoTracking().Where(u => u.UserId == ownerId && ids.Contains(u.Id)).ToListAsync(ct))
            .ToDictionary(u => u.Id, InputImage.From);
        var rest = ids.Where(id => !found.ContainsKey(id)).ToList();
        if (rest.Count > 0)
        {
            var images = includeTrashed ? db.Images.IgnoreQueryFilters() : db.Images;
            foreach (var image in await images.AsNoTracking().Where(i => i.UserId == ownerId && rest.Contains(i.Id)).ToListAsync(ct))
            {
                found[image.Id] = InputImage.From(image);
            }
        }

        return found;
    }
}
