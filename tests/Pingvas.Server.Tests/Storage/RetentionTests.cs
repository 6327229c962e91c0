using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Gallery;
using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.Storage;

/// <summary>
/// <c>/me/retention</c> and the retention sweep, with the server's clock moved forward: the preview
/// is exactly what the sweep then moves to the trash; starred images stay, trashed ones are not
/// counted twice, another user's images are never touched. Its own server: the clock jumps.
/// </summary>
public sealed class RetentionTests(RetentionTests.Fixture fixture) : IClassFixture<RetentionTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;

    /// <summary>The hourly sweep is off: the tests run it themselves, at the moment they choose.</summary>
    public sealed class Fixture() : ServerFixture(new TestSettings().With("Gallery:RetentionIntervalMinutes", "0"));

    [Fact]
    public async Task The_preview_is_what_the_sweep_then_moves_to_the_trash()
    {
        var user = await server.RegisterAsync();
        var other = await server.RegisterAsync();
        var starred = (await user.GenerateAsync(TestUser.Request(steps: 1, seed: 1))).Images.Single().Id;
        var trashed = (await user.GenerateAsync(TestUser.Request(steps: 1, seed: 2))).Images.Single().Id;
        var old = (await user.GenerateAsync(TestUser.Request(steps: 1, seed: 3))).Images.Single().Id;
        var theirs = (await other.GenerateAsync(TestUser.Request(steps: 1, seed: 4))).Images.Single().Id;
        await server.StarAsync(starred);
        var trashedAt = server.Time.GetUtcNow().UtcDateTime;
        await server.TrashAsync(trashed, trashedAt);

        await server.JumpClockAsync(TimeSpan.FromDays(10));
        var fresh = (await user.GenerateAsync(TestUser.Request(steps: 1, seed: 5))).Images.Single().Id;
        await server.QueryAsync(db => db.Users.Where(u => u.Id == other.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.RetentionDays, 30)));

        // Only the old, unstarred, not yet trashed image of this user: not the other user's.
        var preview = await user.RetentionPreviewAsync(7);
        var oldBytes = (await server.StoredImagesAsync(user.Id)).Single(i => i.Id == old).StoredBytes;
        Assert.Equal((1, oldBytes), (preview.Images, preview.Bytes));
        Assert.Equal(old, Assert.Single(preview.Sample).Id);
        Assert.Equal(0, (await user.RetentionPreviewAsync(30)).Images);
        Assert.Equal(1, (await other.RetentionPreviewAsync(7)).Images);

        // Without a rule the sweep leaves the user alone; the other user's 30 days have not passed.
        Assert.Equal(0, await SweepAsync());
        Assert.Equal(HttpStatusCode.OK, (await user.Client.PutAsJsonAsync("/api/v1/me/retention", new { days = 7 })).StatusCode);
        Assert.Equal(7, (await user.Client.GetFromJsonAsync<RetentionBody>("/api/v1/me/retention", Json.Options))!.Days);

        var before = server.Time.GetUtcNow().UtcDateTime.AddMilliseconds(-1);
        Assert.Equal(preview.Images, await SweepAsync());
        var after = server.Time.GetUtcNow().UtcDateTime;
        var images = (await server.StoredImagesAsync(user.Id)).ToDictionary(i => i.Id);
        Assert.Null(images[starred].DeletedAt);
        Assert.Null(images[fresh].DeletedAt);
        Assert.Equal(trashedAt, images[trashed].DeletedAt!.Value, TimeSpan.FromMilliseconds(1));
        Assert.InRange(images[old].DeletedAt!.Value, before, after);
        Assert.Null((await server.StoredImagesAsync(other.Id)).Single(i => i.Id == theirs).DeletedAt);

        // In the trash, still counted; nothing is due any more, and a second sweep moves nothing.
        var storage = await user.StorageAsync();
        Assert.Equal((2L, 2L), (storage.Images.Count, storage.Trash.Count));
        Assert.Equal(0, (await user.RetentionPreviewAsync(7)).Images);
        Assert.Equal(0, await SweepAsync());

        // Switched off, the rule stops.
        Assert.Equal(HttpStatusCode.OK, (await user.Client.PutAsJsonAsync("/api/v1/me/retention", new { days = (int?)null })).StatusCode);
        Assert.Null((await user.Client.GetFromJsonAsync<RetentionBody>("/api/v1/me/retention", Json.Options))!.Days);
    }

    [Fact]
    public async Task Retention_days_are_validated()
    {
        var user = await server.RegisterAsync();
        Assert.Null((await user.Client.GetFromJsonAsync<RetentionBody>("/api/v1/me/retention", Json.Options))!.Days);
        foreach (var days in new[] { 0, 6, 3651, -1 })
        {
            await AssertProblemAsync(await user.Client.PutAsJsonAsync("/api/v1/me/retention", new { days }), HttpStatusCode.BadRequest, "validation_failed");
            await AssertProblemAsync(await user.Client.GetAsync($"/api/v1/me/retention/preview?days={days}"), HttpStatusCode.BadRequest, "validation_failed");
        }

        await AssertProblemAsync(await user.Client.GetAsync("/api/v1/me/retention/preview"), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await user.Client.GetAsync("/api/v1/me/retention/preview?days=abc"), HttpStatusCode.BadRequest, "validation_failed");
        Assert.Null((await user.Client.GetFromJsonAsync<RetentionBody>("/api/v1/me/retention", Json.Options))!.Days);

        foreach (var days in new[] { 7, 3650 })
        {
            var saved = await user.Client.PutAsJsonAsync("/api/v1/me/retention", new { days });
            Assert.Equal(days, (await saved.Content.ReadFromJsonAsync<RetentionBody>(Json.Options))!.Days);
            Assert.Equal(0, (await user.RetentionPreviewAsync(days)).Images);
        }

        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/me/retention")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsJsonAsync("/api/v1/me/retention", new { days = 7 })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/me/retention/preview?days=7")).StatusCode);
    }

    private Task<int> SweepAsync() => server.Services.GetRequiredService<RetentionSweep>().RunOnceAsync(CancellationToken.None);
}
