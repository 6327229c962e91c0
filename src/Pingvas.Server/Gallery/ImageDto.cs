using System.Text.Json;

using Pingvas.Server.Storage;

namespace Pingvas.Server.Gallery;

/// <summary>
/// A gallery image as clients see it. <see cref="DeletedAt"/> is set only for an image in the trash
/// (and <see cref="PurgeAt"/> says when it goes for good); <see cref="Tags"/> are normalised, sorted.
/// </summary>
public sealed record ImageDto(
    Guid Id, Guid GenerationId, int BatchIndex, string Url, string ThumbnailUrl, string Thumbnail512Url,
    int Width, int Height, long Seed, string Model, string Prompt, long StoredBytes,
    IReadOnlyDictionary<string, string> Metadata, DateTime CreatedAt,
    string? NegativePrompt, Guid? FolderId, bool Starred, IReadOnlyList<string> Tags, int UseCount,
    DateTime? DeletedAt, DateTime? PurgeAt)
{
    /// <summary>How long a trashed image stays restorable.</summary>
    public static readonly TimeSpan TrashKeeps = TimeSpan.FromDays(30);

    public static ImageDto From(Image i, IReadOnlyList<string> tags, IObjectUrls urls) =>
        new(i.Id, i.JobId, i.BatchIndex, urls.UrlFor(i.OriginalKey), urls.UrlFor(i.Thumb256Key), urls.UrlFor(i.Thumb512Key),
            i.Width, i.Height, i.Seed, i.ModelId, i.Prompt, i.StoredBytes,
            JsonSerializer.Deserialize<Dictionary<string, string>>(i.Metadata) ?? [], i.CreatedAt,
            i.NegativePrompt, i.FolderId, i.Starred, tags, i.UseCount, i.DeletedAt, i.DeletedAt + TrashKeeps);
}
