using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.Gallery;

/// <summary>
/// Tenant isolation on every organising endpoint: another user's image, folder or tag answers exactly
/// like a missing one, and nothing of the owner's changes.
/// </summary>
public sealed class GalleryIsolationTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task Another_users_images_folders_and_tags_are_not_found_and_unchanged()
    {
        var alice = await server.RegisterAsync();
        var bob = await server.RegisterAsync();
        var image = (await alice.ImagesAsync()).Single();
        var trashed = (await alice.ImagesAsync()).Single();
        var folder = await alice.CreateFolderAsync("private");
        await alice.Client.PostAsJsonAsync("/api/v1/images/move", new { imageIds = new[] { image }, folderId = folder.Id });
        await alice.Client.PatchAsJsonAsync($"/api/v1/images/{image}", new { tags = new[] { "secret" } });
        await alice.Client.DeleteAsync($"/api/v1/images/{trashed}");
        var bobs = (await bob.ImagesAsync()).Single();
        var bobsFolder = await bob.CreateFolderAsync("mine");
        var missing = Guid.CreateVersion7();

        async Task SameAsMissingAsync(Func<Guid, Task<HttpResponseMessage>> call, string code, Guid theirs)
        {
            var expected = await AssertProblemAsync(await call(missing), HttpStatusCode.NotFound, code);
            var actual = await AssertProblemAsync(await call(theirs), HttpStatusCode.NotFound, code);
            Assert.Equal(expected.ToJsonString(), actual.ToJsonString());
        }

        foreach (var theirs in new[] { image, trashed })
        {
            await SameAsMissingAsync(id => bob.Client.PatchAsJsonAsync($"/api/v1/images/{id}", new { starred = true, tags = new[] { "mine" } }), "image_not_found", theirs);
            await SameAsMissingAsync(id => bob.Client.PostAsJsonAsync("/api/v1/images/move", new { imageIds = new[] { bobs, id }, folderId = bobsFolder.Id }), "image_not_found", theirs);
            await SameAsMissingAsync(id => bob.Client.PostAsJsonAsync("/api/v1/images/trash", new { imageIds = new[] { id } }), "image_not_found", theirs);
            await SameAsMissingAsync(id => bob.Client.PostAsync($"/api/v1/images/{id}/restore", null), "image_not_found", theirs);
            await SameAsMissingAsync(id => bob.Client.DeleteAsync($"/api/v1/images/{id}"), "image_not_found", theirs);
            await SameAsMissingAsync(id => bob.Client.DeleteAsync($"/api/v1/images/{id}?permanent=true"), "image_not_found", theirs);
        }

        // Alice's folder: not Bob's to rename, delete, nest under or move into.
        await SameAsMissingAsync(id => bob.Client.PatchAsJsonAsync($"/api/v1/folders/{id}", new { name = "taken" }), "folder_not_found", folder.Id);
        await SameAsMissingAsync(id => bob.Client.DeleteAsync($"/api/v1/folders/{id}"), "folder_not_found", folder.Id);
        await SameAsMissingAsync(id => bob.Client.PostAsJsonAsync("/api/v1/folders", new { name = "sub", parentId = id }), "folder_not_found", folder.Id);
        await SameAsMissingAsync(id => bob.Client.PostAsJsonAsync("/api/v1/images/move", new { imageIds = new[] { bobs }, folderId = id }), "folder_not_found", folder.Id);

        // Alice's tag is unknown to Bob; his lists hold only his own.
        await AssertProblemAsync(await bob.Client.PostAsJsonAsync("/api/v1/tags/rename", new { from = "secret", to = "mine" }), HttpStatusCode.NotFound, "tag_not_found");
        await AssertProblemAsync(await bob.Client.DeleteAsync("/api/v1/tags/secret"), HttpStatusCode.NotFound, "tag_not_found");
        Assert.Empty(await bob.TagsAsync());
        Assert.Equal([bobsFolder.Id], (await bob.FoldersAsync()).Select(f => f.Id));
        Assert.Equal(0, (await (await bob.Client.DeleteAsync("/api/v1/images/trash")).CountsAsync()).Purged);

        // Bob's empty trash and tag names did not reach Alice: all as she left it.
        var after = await alice.ImageAsync(image);
        Assert.Equal((folder.Id, false, "secret"), (after.FolderId, after.Starred, after.Tags.Single()));
        Assert.Equal([new FolderBody(folder.Id, null, "private", 1, folder.CreatedAt)], await alice.FoldersAsync());
        Assert.Equal([new TagCountBody("secret", 1)], await alice.TagsAsync());
        Assert.NotNull(await server.QueryAsync(db => db.Images.IgnoreQueryFilters().Where(i => i.Id == trashed).Select(i => i.DeletedAt).SingleAsync()));
        Assert.All(ObjectFiles(server, alice.Id, trashed), f => Assert.True(File.Exists(f)));
        Assert.Null((await bob.ImageAsync(bobs)).FolderId);
    }
}
