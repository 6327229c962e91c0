using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Gallery;

/// <summary>A gallery image with the organising fields (docs/gallery.md).</summary>
public sealed record GalleryImageBody(
    Guid Id, Guid GenerationId, string Prompt, string? NegativePrompt, Guid? FolderId, bool Starred, List<string> Tags, int UseCount,
    DateTime? DeletedAt, DateTime? PurgeAt);

public sealed record FolderBody(Guid Id, Guid? ParentId, string Name, int Images, DateTime CreatedAt);

public sealed record FolderListBody(List<FolderBody> Items);

public sealed record TagCountBody(string Tag, int Images);

public sealed record TagListBody(List<TagCountBody> Items);

public sealed record CountBody(int Moved, int Trashed, int Purged, int Images);

/// <summary>Calls the organising tests make again and again.</summary>
public static class GalleryKit
{
    public static async Task<FolderBody> CreateFolderAsync(this TestUser user, string name, Guid? parentId = null)
    {
        var response = await user.Client.PostAsJsonAsync("/api/v1/folders", new { name, parentId });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Create folder: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<FolderBody>(Json.Options))!;
    }

    public static async Task<List<FolderBody>> FoldersAsync(this TestUser user) =>
        (await user.Client.GetFromJsonAsync<FolderListBody>("/api/v1/folders", Json.Options))!.Items;

    public static async Task<GalleryImageBody> ImageAsync(this TestUser user, Guid id) =>
        (await user.Client.GetFromJsonAsync<GalleryImageBody>($"/api/v1/images/{id}", Json.Options))!;

    public static async Task<List<TagCountBody>> TagsAsync(this TestUser user) =>
        (await user.Client.GetFromJsonAsync<TagListBody>("/api/v1/tags", Json.Options))!.Items;

    /// <summary>Sends JSON and reads the counts of a batch answer ({moved}, {trashed}, {purged}, {images}).</summary>
    public static async Task<CountBody> CountsAsync(this HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<CountBody>(Json.Options))!;
    }

    /// <summary>Generated images of the user, <paramref name="count"/> of them in one job.</summary>
    public static async Task<List<Guid>> ImagesAsync(this TestUser user, int count = 1, string prompt = "a lighthouse at dusk") =>
        [.. (await user.GenerateAsync(new { prompt, model = "sd-1.5", width = 64, height = 64, steps = 1, seed = 7, batchSize = count })).Images.Select(i => i.Id)];

    /// <summary>The stored search text of an image (trashed or not).</summary>
    public static Task<string> SearchTextAsync(this PingvasServer server, Guid imageId) =>
        server.QueryAsync(db => db.Images.IgnoreQueryFilters().Where(i => i.Id == imageId).Select(i => i.SearchText).SingleAsync());
}
