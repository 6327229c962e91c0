using Pingvas.Core.Gallery;
using Pingvas.Server.Data;
using Pingvas.Server.Gallery;
using Pingvas.Server.Jobs;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Gallery;

/// <summary>What the search tests read from <c>GET /images</c>; the other fields of an image are not theirs to check.</summary>
public sealed record SearchImageBody(Guid Id, string Model, string Prompt, List<string> Tags, Guid? FolderId, bool Starred, int UseCount, DateTime CreatedAt, DateTime? DeletedAt);

/// <summary>One image to insert: its text, tags, folder (by name) and filter fields.</summary>
public sealed record CorpusImage(
    string Prompt, string? Negative = null, string[]? Tags = null, string? Folder = null, string Model = "sd-1.5",
    bool Starred = false, int UseCount = 0, DateTime? DeletedAt = null);

/// <summary>
/// Inserts a user's folders and images straight into the database (search text as the app computes
/// it, ids increasing in the given order, one hour apart from <see cref="Start"/>): far quicker than generating them.
/// </summary>
public static class SearchCorpus
{
    public static readonly DateTime Start = new(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Inserts the images in order; returns their ids in the same order and the folder ids by name.</summary>
    public static async Task<(List<Guid> Images, Dictionary<string, Guid> Folders)> InsertAsync(PingvasServer server, Guid userId, IReadOnlyList<CorpusImage> images, int hourOffset = 0)
    {
        await using var db = server.Database.Open(server.DataPath);
        var folders = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var name in images.Select(i => i.Folder).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            var folder = new Folder { Id = Ids.New(), UserId = userId, Name = name, CreatedAt = Start };
            db.Folders.Add(folder);
            folders[name] = folder.Id;
        }

        var job = new Job
        {
            Id = Ids.New(),
            UserId = userId,
            Status = JobStatus.Succeeded,
            Prompt = "corpus",
            ModelId = "sd-1.5",
            Scheduler = "euler",
            Width = 64,
            Height = 64,
            Steps = 1,
            CfgScale = 7,
            BatchSize = images.Count,
            CreatedAt = Start,
        };
        db.Jobs.Add(job);

        // The model has no navigations between folders, images and tags: save them in the foreign keys' order.
        await db.SaveChangesAsync();
        var tagRows = new List<ImageTag>();
        var ids = new List<Guid>();
        for (var n = 0; n < images.Count; n++)
        {
            var spec = images[n];
            var tags = GalleryText.Tags(spec.Tags ?? [], out _)!;
            var id = Ids.New();
            ids.Add(id);
            db.Images.Add(new Image
            {
                Id = id,
                UserId = userId,
                JobId = job.Id,
                BatchIndex = n,
                Seed = n,
                Width = 64,
                Height = 64,
                ModelId = spec.Model,
                Prompt = spec.Prompt,
                NegativePrompt = spec.Negative,
                OriginalKey = $"corpus/{id:N}.png",
                Thumb256Key = $"corpus/{id:N}_256.webp",
                Thumb512Key = $"corpus/{id:N}_512.webp",
                StoredBytes = 100,
                Metadata = "{}",
                CreatedAt = Start.AddHours(hourOffset + n),
                FolderId = spec.Folder is null ? null : folders[spec.Folder],
                Starred = spec.Starred,
                UseCount = spec.UseCount,
                DeletedAt = spec.DeletedAt,
                SearchText = GalleryText.SearchText(spec.Prompt, spec.Negative, tags),
            });
            tagRows.AddRange(tags.Select(t => new ImageTag { ImageId = id, UserId = userId, Tag = t }));
        }

        await db.SaveChangesAsync();
        db.ImageTags.AddRange(tagRows);
        await db.SaveChangesAsync();
        return (ids, folders);
    }
}
