using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.Gallery;

/// <summary>
/// <c>/tags</c>: counts per tag (most images first, the trash left out), rename (a merge when the new
/// name exists), delete; each change reaches every image, trashed ones too, and their search text.
/// </summary>
public sealed class TagTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task Tags_are_counted_renamed_merged_and_deleted_across_all_images()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var images = await user.ImagesAsync(4, prompt: "fox");
        await TagAsync(user, images[0], "cat", "kitten");
        await TagAsync(user, images[1], "cat");
        await TagAsync(user, images[2], "kitten", "snow");
        await TagAsync(user, images[3], "cat", "snow");

        Assert.Equal([new TagCountBody("cat", 3), new TagCountBody("kitten", 2), new TagCountBody("snow", 2)], await user.TagsAsync());

        // The trash is left out of the counts, but changes reach it.
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/images/{images[3]}")).StatusCode);
        Assert.Equal([new TagCountBody("cat", 2), new TagCountBody("kitten", 2), new TagCountBody("snow", 1)], await user.TagsAsync());

        // A plain rename (the name normalised like any tag).
        var renamed = await (await user.Client.PostAsJsonAsync("/api/v1/tags/rename", new { from = "SNOW", to = " Ｗinter " })).CountsAsync();
        Assert.Equal(2, renamed.Images);
        Assert.Equal(["kitten", "winter"], (await user.ImageAsync(images[2])).Tags);
        Assert.Equal("fox\nkitten\nwinter", await server.SearchTextAsync(images[2]));
        Assert.Equal("fox\ncat\nwinter", await server.SearchTextAsync(images[3]));

        // A merge: images with both keep one.
        var merged = await (await user.Client.PostAsJsonAsync("/api/v1/tags/rename", new { from = "kitten", to = "cat" })).CountsAsync();
        Assert.Equal(2, merged.Images);
        Assert.Equal(["cat"], (await user.ImageAsync(images[0])).Tags);
        Assert.Equal(["cat", "winter"], (await user.ImageAsync(images[2])).Tags);
        Assert.Equal("fox\ncat", await server.SearchTextAsync(images[0]));
        Assert.Equal([new TagCountBody("cat", 3), new TagCountBody("winter", 1)], await user.TagsAsync());

        var deleted = await (await user.Client.DeleteAsync("/api/v1/tags/cat")).CountsAsync();
        Assert.Equal(4, deleted.Images);
        Assert.Equal([new TagCountBody("winter", 1)], await user.TagsAsync());
        Assert.Empty((await user.ImageAsync(images[0])).Tags);
        Assert.Equal("fox", await server.SearchTextAsync(images[0]));
        Assert.Equal("fox\nwinter", await server.SearchTextAsync(images[3]));

        // The restored image comes back with today's tags.
        Assert.Equal(["winter"], (await (await user.Client.PostAsync($"/api/v1/images/{images[3]}/restore", null)).Content.ReadFromJsonAsync<GalleryImageBody>(Json.Options))!.Tags);
    }

    [Fact]
    public async Task Unknown_tags_and_invalid_names_are_refused()
    {
        var user = await server.RegisterAsync();
        var id = (await user.ImagesAsync()).Single();
        await TagAsync(user, id, "서울 여행");

        await AssertProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/tags/rename", new { from = "nope", to = "x" }), HttpStatusCode.NotFound, "tag_not_found");
        await AssertProblemAsync(await user.Client.DeleteAsync("/api/v1/tags/nope"), HttpStatusCode.NotFound, "tag_not_found");
        foreach (var to in new[] { "", "  ", new string('x', 41) })
        {
            var problem = await AssertProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/tags/rename", new { from = "서울 여행", to }), HttpStatusCode.BadRequest, "validation_failed");
            Assert.NotNull(problem["errors"]?["to"]);
        }

        // Renaming to itself changes nothing; a Korean tag with a space goes through the URL.
        Assert.Equal(1, (await (await user.Client.PostAsJsonAsync("/api/v1/tags/rename", new { from = "서울 여행", to = "서울 여행" })).CountsAsync()).Images);
        Assert.Equal(1, (await (await user.Client.DeleteAsync($"/api/v1/tags/{Uri.EscapeDataString("서울 여행")}")).CountsAsync()).Images);
        Assert.Empty(await user.TagsAsync());

        // A tag with a slash: the one escape the server's path decoding leaves for the endpoint.
        await TagAsync(user, id, "b/w 50%");
        Assert.Equal(1, (await (await user.Client.DeleteAsync($"/api/v1/tags/{Uri.EscapeDataString("b/w 50%")}")).CountsAsync()).Images);
        Assert.Empty(await user.TagsAsync());
    }

    private static async Task TagAsync(TestUser user, Guid id, params string[] tags) =>
        Assert.Equal(HttpStatusCode.OK, (await user.Client.PatchAsJsonAsync($"/api/v1/images/{id}", new { tags })).StatusCode);
}
