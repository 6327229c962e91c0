using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.Gallery;

/// <summary>
/// <c>PATCH /images/{id}</c> (star, tags that replace the image's and update its search text) and
/// <c>POST /images/move</c> (all or nothing; a trashed image or another user's folder is not found).
/// </summary>
public sealed class OrganiseTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task Star_and_tags_are_set_and_replaced_and_the_search_text_follows()
    {
        var user = await server.RegisterAsync();
        var id = (await user.ImagesAsync(prompt: "A Red Fox")).Single();
        var fresh = await user.ImageAsync(id);
        Assert.False(fresh.Starred);
        Assert.Empty(fresh.Tags);
        Assert.Equal("a red fox", await server.SearchTextAsync(id));

        var starred = await PatchAsync(user, id, new { starred = true });
        Assert.True(starred.Starred);
        Assert.Empty(starred.Tags);

        // Normalised (full-width folded, trimmed, lower-case), de-duplicated and sorted.
        var tagged = await PatchAsync(user, id, new { tags = new[] { " Ｗｉｎｔｅｒ  Night ", "여우", "winter night", "Animals" } });
        Assert.Equal(["animals", "winter night", "여우"], tagged.Tags);
        Assert.True(tagged.Starred);
        Assert.Equal(tagged.Tags, (await user.ImageAsync(id)).Tags);
        Assert.Equal("a red fox\nanimals\nwinter night\n여우", await server.SearchTextAsync(id));

        // Tags replace; starred untouched when absent.
        var replaced = await PatchAsync(user, id, new { tags = new[] { "snow" }, starred = false });
        Assert.Equal(["snow"], replaced.Tags);
        Assert.False(replaced.Starred);
        Assert.Equal("a red fox\nsnow", await server.SearchTextAsync(id));
        Assert.Equal(["snow"], (await PatchAsync(user, id, new { starred = true })).Tags);
        Assert.Empty((await PatchAsync(user, id, new { tags = Array.Empty<string>() })).Tags);
        Assert.Equal("a red fox", await server.SearchTextAsync(id));
    }

    [Fact]
    public async Task Invalid_tags_are_refused_and_change_nothing()
    {
        var user = await server.RegisterAsync();
        var id = (await user.ImagesAsync()).Single();
        await PatchAsync(user, id, new { tags = new[] { "keep" } });

        object[] bad =
        [
            new { tags = new[] { "  " } },
            new { tags = new[] { new string('x', 41) } },
            new { tags = Enumerable.Range(0, 21).Select(i => $"t{i}").ToArray() },
        ];
        foreach (var body in bad)
        {
            var problem = await AssertProblemAsync(await user.Client.PatchAsJsonAsync($"/api/v1/images/{id}", body), HttpStatusCode.BadRequest, "validation_failed");
            Assert.NotNull(problem["errors"]?["tags"]);
        }

        Assert.Equal(["keep"], (await user.ImageAsync(id)).Tags);
        Assert.Equal(20, (await PatchAsync(user, id, new { tags = Enumerable.Range(0, 20).Select(i => $"t{i}").ToArray() })).Tags.Count);
        Assert.Single((await PatchAsync(user, id, new { tags = new[] { new string('x', 40) } })).Tags);
        await AssertProblemAsync(await user.Client.PatchAsJsonAsync($"/api/v1/images/{Guid.CreateVersion7()}", new { starred = true }), HttpStatusCode.NotFound, "image_not_found");
    }

    [Fact]
    public async Task Moving_is_all_or_nothing()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var images = await user.ImagesAsync(3);
        var folder = await user.CreateFolderAsync("best");
        var sub = await user.CreateFolderAsync("better", folder.Id);

        // One trashed or unknown id among them: nothing moves.
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/images/{images[2]}")).StatusCode);
        foreach (var odd in new[] { images[2], Guid.CreateVersion7() })
        {
            await AssertProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/images/move", new { imageIds = new[] { images[0], images[1], odd }, folderId = folder.Id }),
                HttpStatusCode.NotFound, "image_not_found");
            Assert.Null((await user.ImageAsync(images[0])).FolderId);
        }

        await AssertProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/images/move", new { imageIds = new[] { images[0] }, folderId = Guid.CreateVersion7() }),
            HttpStatusCode.NotFound, "folder_not_found");

        // Duplicates count once; a sub-folder is a folder like any other; null is the root.
        var moved = await (await user.Client.PostAsJsonAsync("/api/v1/images/move", new { imageIds = new[] { images[0], images[1], images[0] }, folderId = sub.Id })).CountsAsync();
        Assert.Equal(2, moved.Moved);
        Assert.Equal(sub.Id, (await user.ImageAsync(images[1])).FolderId);
        Assert.Equal(2, (await user.FoldersAsync()).Single(f => f.Id == sub.Id).Images);
        Assert.Equal(1, (await (await user.Client.PostAsJsonAsync("/api/v1/images/move", new { imageIds = new[] { images[1] }, folderId = (Guid?)null })).CountsAsync()).Moved);
        Assert.Null((await user.ImageAsync(images[1])).FolderId);

        foreach (var imageIds in new[] { Array.Empty<Guid>(), [.. Enumerable.Range(0, 501).Select(_ => Guid.CreateVersion7())] })
        {
            var problem = await AssertProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/images/move", new { imageIds, folderId = folder.Id }), HttpStatusCode.BadRequest, "validation_failed");
            Assert.NotNull(problem["errors"]?["imageIds"]);
        }

        var missing = await AssertProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/images/move", new { folderId = folder.Id }), HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(missing["errors"]?["imageIds"]);
    }

    private static async Task<GalleryImageBody> PatchAsync(TestUser user, Guid id, object body)
    {
        var response = await user.Client.PatchAsJsonAsync($"/api/v1/images/{id}", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"PATCH: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<GalleryImageBody>(Json.Options))!;
    }
}
