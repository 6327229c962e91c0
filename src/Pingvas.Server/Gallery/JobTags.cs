using System.Text.Json;

using Pingvas.Core.Gallery;
using Pingvas.Server.Jobs;

namespace Pingvas.Server.Gallery;

/// <summary>A job's tags as stored in <c>jobs.tags</c> (a JSON array of normalised tags), which its images get when it succeeds.</summary>
public static class JobTags
{
    /// <summary>The stored form; null when there are none.</summary>
    public static string? ToJson(IReadOnlyList<string> tags) => tags.Count == 0 ? null : JsonSerializer.Serialize(tags);

    public static IReadOnlyList<string> Parse(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize<List<string>>(json) ?? [];

    /// <summary>What the search box matches for an image of <paramref name="job"/>.</summary>
    public static string SearchTextOf(Job job) => GalleryText.SearchText(job.Prompt, job.NegativePrompt, Parse(job.Tags));

    /// <summary>The tag rows of the job's new images.</summary>
    public static IEnumerable<ImageTag> RowsFor(Job job, IEnumerable<Image> images)
    {
        var tags = Parse(job.Tags);
        return images.SelectMany(i => tags.Select(t => new ImageTag { ImageId = i.Id, UserId = i.UserId, Tag = t }));
    }
}
