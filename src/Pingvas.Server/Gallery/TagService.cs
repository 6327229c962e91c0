using Microsoft.EntityFrameworkCore;

using Pingvas.Core.Gallery;
using Pingvas.Server.Data;

namespace Pingvas.Server.Gallery;

public sealed record TagCountDto(string Tag, int Images);

public sealed record TagList(IReadOnlyList<TagCountDto> Items);

public sealed record RenameTagRequest(string? From, string? To);

/// <summary>How many images a tag change touched.</summary>
public sealed record TagChangeResponse(int Images);

/// <summary>
/// The caller's tags across all images: listed with counts, renamed (merged when the new name is
/// already a tag), deleted. Changes reach trashed images too, so a restored image comes back with
/// today's tags, and recompute each touched image's search text; they run under the owner's lock.
/// </summary>
public sealed class TagService(PingvasDb db)
{
    /// <summary>Tags of the owner's images in the gallery (not the trash), most images first, then by tag.</summary>
    public async Task<TagList> ListAsync(Guid userId, CancellationToken ct)
    {
        var counts = await db.ImageTags.AsNoTracking()
            .Where(t => t.UserId == userId && db.Images.Any(i => i.Id == t.ImageId))
            .GroupBy(t => t.Tag).Select(g => new TagCountDto(g.Key, g.Count())).ToListAsync(ct);
        return new TagList([.. counts.OrderByDescending(c => c.Images).ThenBy(c => c.Tag, StringComparer.Ordinal)]);
    }

    /// <summary>Renames <paramref name="request"/>.From to .To on every image; null response: no image has the tag; a string: what is wrong with the new name.</summary>
    public async Task<(TagChangeResponse? Response, string? Invalid)> RenameAsync(Guid userId, RenameTagRequest request, CancellationToken ct)
    {
        if (GalleryText.Tag(request.To, out var error) is not { } to)
        {
            return (null, error);
        }

        var from = GalleryText.Normalize(request.From);
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);
        var ids = await ImagesWithAsync(userId, from, ct);
        if (ids.Count == 0)
        {
            return (null, null);
        }

        if (from != to)
        {
            var have = (await db.ImageTags.Where(t => t.UserId == userId && t.Tag == to && ids.Contains(t.ImageId)).Select(t => t.ImageId).ToListAsync(ct)).ToHashSet();
            await db.ImageTags.Where(t => t.UserId == userId && t.Tag == from).ExecuteDeleteAsync(ct);
            db.ImageTags.AddRange(ids.Where(id => !have.Contains(id)).Select(id => new ImageTag { ImageId = id, UserId = userId, Tag = to }));
            await db.SaveChangesAsync(ct);
            await ImageTagSets.RecomputeSearchTextAsync(db, userId, ids, ct);
        }

        await tx.CommitAsync(ct);
        return (new TagChangeResponse(ids.Count), null);
    }

    /// <summary>Removes the tag from every image; null: no image has it.</summary>
    public async Task<TagChangeResponse?> DeleteAsync(Guid userId, string? tag, CancellationToken ct)
    {
        var name = GalleryText.Normalize(tag);
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);
        var ids = await ImagesWithAsync(userId, name, ct);
        if (ids.Count == 0)
        {
            return null;
        }

        await db.ImageTags.Where(t => t.UserId == userId && t.Tag == name).ExecuteDeleteAsync(ct);
        await ImageTagSets.RecomputeSearchTextAsync(db, userId, ids, ct);
        await tx.CommitAsync(ct);
        return new TagChangeResponse(ids.Count);
    }

    private Task<List<Guid>> ImagesWithAsync(Guid userId, string tag, CancellationToken ct) =>
        db.ImageTags.Where(t => t.UserId == userId && t.Tag == tag).Select(t => t.ImageId).ToListAsync(ct);
}
