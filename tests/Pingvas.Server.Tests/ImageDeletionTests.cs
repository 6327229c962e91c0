using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests;

/// <summary>
/// Deleting an image moves it to the trash: hidden from every way of reaching it, objects kept. Deleting it
/// from the trash (<c>?permanent=true</c>) removes its row and its three stored objects.
/// </summary>
public sealed class ImageDeletionTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task Delete_trashes_the_image_and_permanent_delete_removes_it_and_its_objects()
    {
        var user = await server.RegisterAsync();
        var job = await user.GenerateAsync(TestUser.Request(steps: 1, seed: 1));
        var image = job.Images.Single();
        var kept = (await user.GenerateAsync(TestUser.Request(steps: 1, seed: 2))).Images.Single();
        var files = ObjectFiles(server, user.Id, image.Id);
        Assert.All(files, f => Assert.True(File.Exists(f), $"{f} should exist before the delete."));
        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(image.Url)).StatusCode);

        // Permanent deletion is only for what is in the trash.
        await AssertProblemAsync(await user.Client.DeleteAsync($"/api/v1/images/{image.Id}?permanent=true"), HttpStatusCode.NotFound, "image_not_found");

        var deleted = await user.Client.DeleteAsync($"/api/v1/images/{image.Id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(await deleted.Content.ReadAsByteArrayAsync());

        // In the trash: gone from the gallery, the generation and the image routes; its objects stay for a restore.
        await AssertProblemAsync(await user.Client.GetAsync($"/api/v1/images/{image.Id}"), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await user.Client.GetAsync($"/api/v1/images/{image.Id}/content"), HttpStatusCode.NotFound, "not_found");
        Assert.All(files, f => Assert.True(File.Exists(f), $"{f} should stay while the image is in the trash."));
        var after = await user.GetAsync(job.Id);
        Assert.Equal("succeeded", after.Status);
        Assert.Empty(after.Images);
        var listed = await AllAsync<GenerationBody>(user.Client, "/api/v1/generations");
        Assert.Empty(listed.Single(j => j.Id == job.Id).Images);
        var gallery = await AllAsync<ImageBody>(user.Client, "/api/v1/images");
        Assert.Equal([kept.Id], gallery.Select(i => i.Id));

        // Trashing again is a plain 404, the same as any missing image.
        var again = await AssertProblemAsync(await user.Client.DeleteAsync($"/api/v1/images/{image.Id}"), HttpStatusCode.NotFound, "image_not_found");
        var missing = await AssertProblemAsync(await user.Client.DeleteAsync($"/api/v1/images/{Guid.CreateVersion7()}"), HttpStatusCode.NotFound, "image_not_found");
        Assert.Equal(missing.ToJsonString(), again.ToJsonString());

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/images/{image.Id}?permanent=true")).StatusCode);
        Assert.All(files, f => Assert.False(File.Exists(f), $"{f} is still on disk."));
        foreach (var url in new[] { image.Url, image.ThumbnailUrl, image.Thumbnail512Url })
        {
            // The signature is still valid; the object behind it is gone.
            await AssertProblemAsync(await anonymous.GetAsync(url), HttpStatusCode.NotFound, "not_found");
        }

        await AssertProblemAsync(await user.Client.PostAsync($"/api/v1/images/{image.Id}/restore", null), HttpStatusCode.NotFound, "image_not_found");
        await AssertProblemAsync(await user.Client.DeleteAsync($"/api/v1/images/{image.Id}?permanent=true"), HttpStatusCode.NotFound, "image_not_found");

        // The other image is untouched.
        Assert.All(ObjectFiles(server, user.Id, kept.Id), f => Assert.True(File.Exists(f)));
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(kept.Url)).StatusCode);
    }

    [Fact]
    public async Task Permanent_delete_finishes_when_some_objects_are_already_gone()
    {
        // A retry after a storage failure half-way: the row must still go.
        var user = await server.RegisterAsync();
        var image = (await user.GenerateAsync(TestUser.Request(steps: 1))).Images.Single();
        var files = ObjectFiles(server, user.Id, image.Id);
        File.Delete(files[1]);

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/images/{image.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/images/{image.Id}?permanent=true")).StatusCode);
        Assert.All(files, f => Assert.False(File.Exists(f)));
        Assert.Empty((await user.Client.GetFromJsonAsync<PageBody<ImageBody>>("/api/v1/images", Json.Options))!.Items);
    }
}
