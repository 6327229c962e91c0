using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Gallery;
using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.Gallery;

/// <summary>
/// The trash: <c>DELETE /images/{id}</c> and <c>POST /images/trash</c> move images there (objects kept),
/// restore brings them back, <c>?permanent=true</c> and <c>DELETE /images/trash</c> purge them with their
/// objects (never one a waiting job needs), and <see cref="TrashPurge"/> purges what has been there 30 days.
/// </summary>
public sealed class TrashTests(TrashTests.Fixture fixture) : IClassFixture<TrashTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;

    /// <summary>Steps take 20 ms, so a 150-step job keeps the one behind it waiting for a few seconds.</summary>
    public sealed class Fixture() : ServerFixture(new TestSettings { StepDelayMs = 20 });

    [Fact]
    public async Task Images_are_trashed_all_or_nothing_restored_and_the_trash_emptied_with_their_objects()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var images = await user.ImagesAsync(4);
        var folder = await user.CreateFolderAsync("keep");
        await user.Client.PostAsJsonAsync("/api/v1/images/move", new { imageIds = new[] { images[0] }, folderId = folder.Id });
        await user.Client.PatchAsJsonAsync($"/api/v1/images/{images[0]}", new { starred = true, tags = new[] { "sea" } });

        // An unknown id among them: nothing is trashed.
        await AssertProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/images/trash", new { imageIds = new[] { images[0], Guid.CreateVersion7() } }), HttpStatusCode.NotFound, "image_not_found");
        Assert.Equal(4, await server.QueryAsync(db => db.Images.CountAsync(i => i.UserId == user.Id)));
        var problem = await AssertProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/images/trash", new { imageIds = Array.Empty<Guid>() }), HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(problem["errors"]?["imageIds"]);

        var before = DateTime.UtcNow.AddSeconds(-1);
        Assert.Equal(3, (await (await user.Client.PostAsJsonAsync("/api/v1/images/trash", new { imageIds = images.Take(3) })).CountsAsync()).Trashed);
        await AssertProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/images/trash", new { imageIds = new[] { images[0] } }), HttpStatusCode.NotFound, "image_not_found");
        await AssertProblemAsync(await user.Client.GetAsync($"/api/v1/images/{images[0]}"), HttpStatusCode.NotFound, "not_found");
        Assert.Equal([images[3]], (await AllAsync<ImageBody>(user.Client, "/api/v1/images")).Select(i => i.Id));
        Assert.Equal(0, (await user.FoldersAsync()).Single().Images);
        var trashedAt = await server.QueryAsync(db => db.Images.IgnoreQueryFilters().Where(i => i.Id == images[0]).Select(i => i.DeletedAt).SingleAsync());
        Assert.InRange(trashedAt!.Value, before, DateTime.UtcNow.AddSeconds(1));

        // Restored: back in its folder, starred and tagged as before; not in the trash any more.
        var restored = await user.Client.PostAsync($"/api/v1/images/{images[0]}/restore", null);
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        var body = (await restored.Content.ReadFromJsonAsync<GalleryImageBody>(Json.Options))!;
        Assert.Equal((folder.Id, true, "sea", (DateTime?)null, (DateTime?)null), (body.FolderId, body.Starred, body.Tags.Single(), body.DeletedAt, body.PurgeAt));
        Assert.Equal(1, (await user.FoldersAsync()).Single().Images);
        await AssertProblemAsync(await user.Client.PostAsync($"/api/v1/images/{images[0]}/restore", null), HttpStatusCode.NotFound, "image_not_found");
        await AssertProblemAsync(await user.Client.PostAsync($"/api/v1/images/{images[3]}/restore", null), HttpStatusCode.NotFound, "image_not_found");

        // Emptying purges the two left in the trash, objects and all, and nothing else.
        var files = images.Select(i => ObjectFiles(server, user.Id, i)).ToList();
        Assert.All(files.SelectMany(f => f), f => Assert.True(File.Exists(f)));
        Assert.Equal(2, (await (await user.Client.DeleteAsync("/api/v1/images/trash")).CountsAsync()).Purged);
        Assert.All(files[1].Concat(files[2]), f => Assert.False(File.Exists(f), $"{f} is still on disk."));
        Assert.All(files[0].Concat(files[3]), f => Assert.True(File.Exists(f)));
        Assert.Equal(2, await server.QueryAsync(db => db.Images.IgnoreQueryFilters().CountAsync(i => i.UserId == user.Id)));
        Assert.Equal(0, (await (await user.Client.DeleteAsync("/api/v1/images/trash")).CountsAsync()).Purged);
    }

    [Fact]
    public async Task Emptying_the_trash_skips_an_image_a_waiting_job_needs_until_the_job_ends()
    {
        var user = await server.RegisterAsync();
        var source = (await user.ImagesAsync()).Single();
        var other = (await user.ImagesAsync()).Single();

        // Free: one job at a time, so the img2img waits behind the long one.
        var running = await user.SubmitAsync(TestUser.Request(width: 512, height: 512, steps: 150));
        var queued = await user.SubmitAsync(new { prompt = "x", model = "sd-1.5", initImageId = source, steps = 1 });
        Assert.Equal("queued", (await user.GetAsync(queued.Id)).Status);
        Assert.Equal(2, (await (await user.Client.PostAsJsonAsync("/api/v1/images/trash", new { imageIds = new[] { source, other } })).CountsAsync()).Trashed);
        Assert.Equal(1, (await (await user.Client.DeleteAsync("/api/v1/images/trash")).CountsAsync()).Purged);
        Assert.All(ObjectFiles(server, user.Id, source), f => Assert.True(File.Exists(f)));
        Assert.All(ObjectFiles(server, user.Id, other), f => Assert.False(File.Exists(f)));

        await user.Client.PostAsync($"/api/v1/generations/{running.Id}/cancel", null);
        Assert.Equal("succeeded", (await user.WaitForAsync(queued.Id)).Status);
        Assert.Equal(1, (await (await user.Client.DeleteAsync("/api/v1/images/trash")).CountsAsync()).Purged);
        Assert.All(ObjectFiles(server, user.Id, source), f => Assert.False(File.Exists(f)));
    }

    [Fact]
    public async Task The_purge_removes_images_trashed_more_than_30_days_ago_with_their_objects()
    {
        // Its own server: a month on its clock would expire the tokens of the other tests.
        await using var own = await PingvasServer.StartAsync(new TestSettings());
        var user = await own.RegisterAsync();
        var other = await own.RegisterAsync();
        await own.SetPlanAsync(user.Id, "starter");
        var images = await user.ImagesAsync(3);
        var others = await other.ImagesAsync();
        await user.Client.PatchAsJsonAsync($"/api/v1/images/{images[0]}", new { tags = new[] { "old" } });
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/images/{images[0]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await other.Client.DeleteAsync($"/api/v1/images/{others[0]}")).StatusCode);
        var purge = own.Services.GetRequiredService<TrashPurge>();

        own.Time.Advance(TimeSpan.FromDays(29));
        Assert.Equal(0, await purge.RunOnceAsync(CancellationToken.None));

        // Trashed later (as retention does, through Trash.MoveAsync): not due when the first ones are.
        Assert.Equal(1, await own.QueryAsync(db => Trash.MoveAsync(db, user.Id, [images[1]], own.Time.GetUtcNow().UtcDateTime, CancellationToken.None)));
        own.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        Assert.Equal(2, await purge.RunOnceAsync(CancellationToken.None));

        var left = await own.QueryAsync(db => db.Images.IgnoreQueryFilters().Where(i => i.UserId == user.Id || i.UserId == other.Id).Select(i => i.Id).ToListAsync());
        Assert.Equal(new[] { images[1], images[2] }.Order(), left.Order());
        Assert.Equal(0, await own.QueryAsync(db => db.ImageTags.CountAsync(t => t.ImageId == images[0])));
        Assert.All(ObjectFiles(own, user.Id, images[0]).Concat(ObjectFiles(own, other.Id, others[0])), f => Assert.False(File.Exists(f), $"{f} is still on disk."));
        Assert.All(ObjectFiles(own, user.Id, images[1]).Concat(ObjectFiles(own, user.Id, images[2])), f => Assert.True(File.Exists(f)));
        Assert.Equal(0, await purge.RunOnceAsync(CancellationToken.None));

        own.Time.Advance(TimeSpan.FromDays(30));
        Assert.Equal(1, await purge.RunOnceAsync(CancellationToken.None));
        Assert.All(ObjectFiles(own, user.Id, images[1]), f => Assert.False(File.Exists(f)));
        Assert.All(ObjectFiles(own, user.Id, images[2]), f => Assert.True(File.Exists(f)));
    }
}
