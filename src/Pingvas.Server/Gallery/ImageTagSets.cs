using Microsoft.EntityFrameworkCore;

using Pingvas.Core.Gallery;
using Pingvas.Server.Data;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Gallery;

/// <summary>Reads images' tags for their answers, and keeps <see cref="Image.SearchText"/> in step when tags change.</summary>
public static class ImageTagSets
{
    /// <summary>The tags of each of the owner's images among <paramref name="imageIds"/>, sorted; an image without tags is absent.</summary>
    public static async Task<Dictionary<Guid, IReadOnlyList<string>>> LoadAsync(PingvasDb db, Guid userId, IReadOnlyCollection<Guid> imageIds, CancellationToken ct)
    {
        if (imageIds.Count == 0)
        {
            return [];
        }

        var rows = await db.ImageTags.AsNoTracking().Where(t => t.UserId == userId && imageIds.Contains(t.ImageId))
            .Select(t => new { t.ImageId, t.Tag }).ToListAsync(ct);
        return rows.GroupBy(r => r.ImageId)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(r => r.Tag).Order(StringComparer.Ordinal)]);
    }

    /// <summary>The answers for <paramref name="images"/> with their tags, in the order given.</summary>
    public static async Task<List<ImageDto>> DtosAsync(PingvasDb db, Guid userId, IReadOnlyList<Image> images, IObjectUrls urls, CancellationToken ct)
    {
        var tags = await LoadAsync(db, userId, [.. images.Select(i => i.Id)], ct);
        return [.. images.Select(i => ImageDto.From(i, tags.GetValueOrDefault(i.Id) ?? [], urls))];
    }

    /// <summary>
    /// Recomputes the search text of the owner's images among <paramref name="imageIds"/> (trashed ones too,
    /// so a restored image is found by its current tags) from their prompts and stored tags. Saves.
    /// </summary>
    public static async Task RecomputeSearchTextAsync(PingvasDb db, Guid userId, IReadOnlyCollection<Guid> imageIds, CancellationToken ct)
    {
        foreach (var chunk in imageIds.Distinct().Chunk(500))
        {
            var images = await db.Images.IgnoreQueryFilters().Where(i => i.UserId == userId && chunk.Contains(i.Id)).ToListAsync(ct);
            var tags = await LoadAsync(db, userId, chunk, ct);
            foreach (var image in images)
            {
                image.SearchText = GalleryText.SearchText(image.Prompt, image.NegativePrompt, tags.GetValueOrDefault(image.Id) ?? []);
            }

            await db.SaveChangesAsync(ct);
        }
    }
}
