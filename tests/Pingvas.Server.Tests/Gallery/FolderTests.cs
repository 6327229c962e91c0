using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Data;
using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.Gallery;

/// <summary>
/// <c>/folders</c>: create, list (name order, image counts), rename and delete; one level of nesting;
/// names 1–80 characters, unique among siblings whatever their case; at most 500 per user.
/// </summary>
public sealed class FolderTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task Folders_are_created_listed_in_name_order_renamed_and_nest_one_level()
    {
        var user = await server.RegisterAsync();
        var zoo = await user.CreateFolderAsync("  Zoo  ");
        var animals = await user.CreateFolderAsync("animals");
        var cats = await user.CreateFolderAsync("Cats", animals.Id);
        Assert.Equal("Zoo", zoo.Name);
        Assert.Null(zoo.ParentId);
        Assert.Equal(animals.Id, cats.ParentId);
        Assert.Equal(0, cats.Images);

        Assert.Equal(["animals", "Cats", "Zoo"], (await user.FoldersAsync()).Select(f => f.Name));

        // A sub-folder's child would be two levels deep.
        await AssertProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/folders", new { name = "kittens", parentId = cats.Id }), HttpStatusCode.BadRequest, "folder_too_deep");
        await AssertProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/folders", new { name = "x", parentId = Guid.CreateVersion7() }), HttpStatusCode.NotFound, "folder_not_found");

        var renamed = await user.Client.PatchAsJsonAsync($"/api/v1/folders/{cats.Id}", new { name = "Felines" });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        var body = (await renamed.Content.ReadFromJsonAsync<FolderBody>(Json.Options))!;
        Assert.Equal(("Felines", animals.Id), (body.Name, body.ParentId));
        Assert.Equal(cats.CreatedAt, body.CreatedAt);
        Assert.Contains(await user.FoldersAsync(), f => f.Id == cats.Id && f.Name == "Felines");
        await AssertProblemAsync(await user.Client.PatchAsJsonAsync($"/api/v1/folders/{Guid.CreateVersion7()}", new { name = "x" }), HttpStatusCode.NotFound, "folder_not_found");
    }

    [Fact]
    public async Task Names_are_unique_among_siblings_whatever_their_case_and_must_have_1_to_80_characters()
    {
        var user = await server.RegisterAsync();
        var trips = await user.CreateFolderAsync("Trips");
        var seoul = await user.CreateFolderAsync("서울", trips.Id);

        await AssertProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/folders", new { name = "trips" }), HttpStatusCode.Conflict, "folder_name_taken");
        await AssertProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/folders", new { name = " 서울 ", parentId = trips.Id }), HttpStatusCode.Conflict, "folder_name_taken");

        // The same name elsewhere is fine: at the root, and under another parent.
        await user.CreateFolderAsync("서울");
        var other = await user.CreateFolderAsync("Other");
        var tripsInOther = await user.CreateFolderAsync("TRIPS", other.Id);

        // Renaming onto a sibling's name is refused; onto its own name (another case) is fine.
        await AssertProblemAsync(await user.Client.PatchAsJsonAsync($"/api/v1/folders/{other.Id}", new { name = "TRIPS" }), HttpStatusCode.Conflict, "folder_name_taken");
        Assert.Equal(HttpStatusCode.OK, (await user.Client.PatchAsJsonAsync($"/api/v1/folders/{tripsInOther.Id}", new { name = "trips" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.Client.PatchAsJsonAsync($"/api/v1/folders/{seoul.Id}", new { name = "서울 2026" })).StatusCode);

        foreach (var name in new[] { "", "   ", new string('a', 81) })
        {
            var problem = await AssertProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/folders", new { name }), HttpStatusCode.BadRequest, "validation_failed");
            Assert.NotNull(problem["errors"]?["name"]);
            await AssertProblemAsync(await user.Client.PatchAsJsonAsync($"/api/v1/folders/{other.Id}", new { name }), HttpStatusCode.BadRequest, "validation_failed");
        }

        Assert.Equal(new string('a', 80), (await user.CreateFolderAsync(new string('a', 80))).Name);
    }

    [Fact]
    public async Task A_user_has_at_most_500_folders()
    {
        var user = await server.RegisterAsync();
        var now = DateTime.UtcNow;
        await server.QueryAsync(async db =>
        {
            db.Folders.AddRange(Enumerable.Range(0, 499).Select(i => new Pingvas.Server.Gallery.Folder { Id = Ids.New(), UserId = user.Id, Name = $"f{i}", CreatedAt = now }));
            return await db.SaveChangesAsync();
        });

        var last = await user.CreateFolderAsync("the 500th");
        await AssertProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/folders", new { name = "one more" }), HttpStatusCode.Conflict, "folder_limit");
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/folders/{last.Id}")).StatusCode);
        await user.CreateFolderAsync("one more");

        // Another user's folders are not counted against this one.
        await (await server.RegisterAsync()).CreateFolderAsync("mine");
    }

    [Fact]
    public async Task Deleting_a_folder_deletes_its_sub_folders_and_returns_their_images_to_the_root()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var parent = await user.CreateFolderAsync("parent");
        var child = await user.CreateFolderAsync("child", parent.Id);
        var kept = await user.CreateFolderAsync("kept");
        var images = await user.ImagesAsync(4);
        await MoveAsync(user, [images[0]], parent.Id);
        await MoveAsync(user, [images[1], images[2]], child.Id);
        await MoveAsync(user, [images[3]], kept.Id);

        // A trashed image in the child comes back to the root when restored.
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/images/{images[2]}")).StatusCode);
        var counts = (await user.FoldersAsync()).ToDictionary(f => f.Name, f => f.Images);
        Assert.Equal(new Dictionary<string, int> { ["child"] = 1, ["kept"] = 1, ["parent"] = 1 }, counts);

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/folders/{parent.Id}")).StatusCode);
        Assert.Equal([kept.Id], (await user.FoldersAsync()).Select(f => f.Id));
        Assert.Null((await user.ImageAsync(images[0])).FolderId);
        Assert.Null((await user.ImageAsync(images[1])).FolderId);
        Assert.Equal(kept.Id, (await user.ImageAsync(images[3])).FolderId);
        Assert.Equal(HttpStatusCode.OK, (await user.Client.PostAsync($"/api/v1/images/{images[2]}/restore", null)).StatusCode);
        Assert.Null((await user.ImageAsync(images[2])).FolderId);

        await AssertProblemAsync(await user.Client.DeleteAsync($"/api/v1/folders/{parent.Id}"), HttpStatusCode.NotFound, "folder_not_found");
        await AssertProblemAsync(await user.Client.DeleteAsync($"/api/v1/folders/{child.Id}"), HttpStatusCode.NotFound, "folder_not_found");
    }

    private static async Task MoveAsync(TestUser user, Guid[] imageIds, Guid? folderId) =>
        Assert.Equal(imageIds.Length, (await (await user.Client.PostAsJsonAsync("/api/v1/images/move", new { imageIds, folderId })).CountsAsync()).Moved);
}
