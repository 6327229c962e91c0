using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Jobs;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Gallery;

public sealed record ImageIdsRequest(IReadOnlyList<Guid>? ImageIds);

public sealed record TrashedResponse(int Trashed);

public sealed record PurgedResponse(int Purged);

/// <summary>What came of purging one image now.</summary>
public enum PurgeOneStatus
{
    Purged,
    NotFound,
    InUse,
}

/// <summary>
/// The trash. Trashing sets <see cref="Image.DeletedAt"/>: the query filter then hides the image
/// everywhere but here, while its objects stay (a waiting job may still read it as its input, and it
/// can be restored). Purging removes the rows under the owner's lock, skipping images a queued or
/// running job still needs, then deletes their objects best effort (the orphan sweep removes what a
/// storage error leaves behind).
/// </summary>
public sealed class Trash(PingvasDb db, IObjectStore store, IObjectUrls urls, TimeProvider time, ILogger<Trash> logger)
{
    /// <summary>
    /// Moves the owner's images among <paramref name="imageIds"/> that are not trashed yet to the trash
    /// at <paramref name="now"/>; returns how many moved. The caller holds the owner's lock in its write
    /// transaction (retention calls this per user).
    /// </summary>
    public static Task<int> MoveAsync(PingvasDb db, Guid userId, IReadOnlyCollection<Guid> imageIds, DateTime now, CancellationToken ct) =>
        db.Images.Where(i => i.UserId == userId && imageIds.Contains(i.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.DeletedAt, now), ct);

    /// <summary>Trashes every one of the images or none (any not the owner's or already trashed: null).</summary>
    public async Task<int?> TrashAsync(Guid userId, IReadOnlyCollection<Guid> imageIds, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);
        if (await db.Images.CountAsync(i => i.UserId == userId && imageIds.Contains(i.Id), ct) != imageIds.Count)
        {
            return null;
        }

        var moved = await MoveAsync(db, userId, imageIds, Now(), ct);
        await tx.CommitAsync(ct);
        return moved;
    }

    /// <summary>Brings a trashed image back (into its folder, or the root when the folder went); null: not in the owner's trash.</summary>
    public async Task<ImageDto?> RestoreAsync(Guid userId, Guid id, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);
        var image = await db.Images.IgnoreQueryFilters().SingleOrDefaultAsync(i => i.Id == id && i.UserId == userId && i.DeletedAt != null, ct);
        if (image is null)
        {
            return null;
        }

        image.DeletedAt = null;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (await ImageTagSets.DtosAsync(db, userId, [image], urls, ct)).Single();
    }

    /// <summary>Purges one image of the owner's trash now, unless a queued or running job still needs it.</summary>
    public async Task<PurgeOneStatus> PurgeOneAsync(Guid userId, Guid id, CancellationToken ct)
    {
        List<PurgedImage> purged;
        await using (var tx = await db.BeginWriteAsync(ct))
        {
            await db.LockUserAsync(userId, ct);
            if (!await Trashed(userId).AnyAsync(i => i.Id == id, ct))
            {
                return PurgeOneStatus.NotFound;
            }

            if (await JobInputs.InUseAsync(db, userId, id, ct))
            {
                return PurgeOneStatus.InUse;
            }

            // Of concurrent purges of one image, one deletes the row; the others find none.
            purged = await DeleteRowsAsync(userId, [id], ct);
            if (purged.Count == 0)
            {
                return PurgeOneStatus.NotFound;
            }

            await tx.CommitAsync(ct);
        }

        await DeleteObjectsAsync(purged);
        return PurgeOneStatus.Purged;
    }

    /// <summary>Empties the owner's trash (but for images a waiting or running job needs); returns how many were purged.</summary>
    public Task<int> EmptyAsync(Guid userId, CancellationToken ct) => PurgeAsync(userId, null, ct);

    /// <summary>
    /// Purges the owner's images trashed before <paramref name="trashedBefore"/> (null: all of them), a
    /// batch per transaction so the owner's lock is held briefly; returns how many were purged.
    /// </summary>
    public async Task<int> PurgeAsync(Guid userId, DateTime? trashedBefore, CancellationToken ct)
    {
        const int batchSize = 200;
        var total = 0;
        var skipped = new List<Guid>();
        while (true)
        {
            List<PurgedImage> purged;
            bool more;
            await using (var tx = await db.BeginWriteAsync(ct))
            {
                await db.LockUserAsync(userId, ct);
                skipped = [.. skipped.Union(await InUseAsync(userId, ct))];
                var due = Trashed(userId).Where(i => !skipped.Contains(i.Id));
                if (trashedBefore is { } before)
                {
                    due = due.Where(i => i.DeletedAt < before);
                }

                var ids = await due.OrderBy(i => i.Id).Select(i => i.Id).Take(batchSize).ToListAsync(ct);
                purged = await DeleteRowsAsync(userId, ids, ct);
                await tx.CommitAsync(ct);
                more = ids.Count == batchSize;
            }

            await DeleteObjectsAsync(purged);
            total += purged.Count;
            if (!more)
            {
                return total;
            }
        }
    }

    private sealed record PurgedImage(Guid Id, string[] Keys);

    private IQueryable<Image> Trashed(Guid userId) =>
        db.Images.IgnoreQueryFilters().Where(i => i.UserId == userId && i.DeletedAt != null);

    /// <summary>Deletes the trashed rows among <paramref name="ids"/> (their tags and share links cascade) and returns their object keys.</summary>
    private async Task<List<PurgedImage>> DeleteRowsAsync(Guid userId, List<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var rows = await Trashed(userId).AsNoTracking().Where(i => ids.Contains(i.Id))
            .Select(i => new PurgedImage(i.Id, new[] { i.OriginalKey, i.Thumb256Key, i.Thumb512Key })).ToListAsync(ct);
        var found = rows.Select(r => r.Id).ToList();

        // Under the owner's lock nothing else deletes these rows meanwhile.
        await Trashed(userId).Where(i => found.Contains(i.Id)).ExecuteDeleteAsync(ct);
        return rows;
    }

    /// <summary>The image ids the owner's queued and running jobs name as inputs (init, mask, control, reference, workflow images).</summary>
    private async Task<HashSet<Guid>> InUseAsync(Guid userId, CancellationToken ct)
    {
        var active = db.Jobs.Where(j => j.UserId == userId && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running));
        var direct = await active.Select(j => new { j.InitImageId, j.MaskImageId }).ToListAsync(ct);
        var inputs = await db.JobInputs.Where(i => i.Kind == JobInputKinds.Image && active.Any(j => j.Id == i.JobId)).Select(i => i.RefId).ToListAsync(ct);
        return [.. direct.SelectMany(d => new[] { d.InitImageId, d.MaskImageId }).OfType<Guid>().Concat(inputs)];
    }

    private async Task DeleteObjectsAsync(List<PurgedImage> purged)
    {
        foreach (var image in purged)
        {
            foreach (var key in image.Keys)
            {
                try
                {
                    // The row is gone whatever happens now, so a client that hangs up does not stop the clean-up.
                    await store.DeleteAsync(key, CancellationToken.None);
                }
                catch (Exception ex)
                {
                    logger.LogWarning(ex, "Could not delete object {Key} of purged image {ImageId}; the orphan sweep removes it", key, image.Id);
                }
            }
        }
    }

    private DateTime Now()
    {
        var now = time.GetUtcNow().UtcDateTime;
        return now.AddTicks(-(now.Ticks % 10));
    }
}
