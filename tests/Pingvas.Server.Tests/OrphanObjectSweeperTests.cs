using System.Net;

using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Storage;
using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests;

/// <summary>
/// The orphan sweep on the local store and on S3 (s3rver): objects without an image row go once they
/// are older than a day (the server's clock is shifted, not waited on); younger orphans, live images
/// and keys of other shapes stay. The chore runs through its public <c>RunOnceAsync</c>.
/// </summary>
public sealed class OrphanObjectSweeperTests(S3ServerFixture fixture) : IClassFixture<S3ServerFixture>
{
    [Fact]
    public async Task Local_sweep_deletes_old_orphans_and_keeps_young_orphans_live_images_and_other_keys()
    {
        await using var server = await PingvasServer.StartAsync();
        await SweepScenarioAsync(server, backdate: (key, at) =>
            File.SetLastWriteTimeUtc(Path.Combine(server.DataPath, "objects", key), at.UtcDateTime));
    }

    [Fact]
    public async Task S3_sweep_deletes_old_orphans_and_keeps_young_orphans_live_images_and_other_keys()
    {
        await using var server = await PingvasServer.StartAsync(fixture.Server.AppSettings());
        Assert.IsType<S3ObjectStore>(server.Services.GetRequiredService<IObjectStore>());
        await SweepScenarioAsync(server, backdate: null);
    }

    /// <param name="backdate">
    /// Sets an object's last-modified time, where the store allows it (local files): then a second,
    /// younger orphan is written "at" the shifted clock and must survive the same sweep.
    /// </param>
    private static async Task SweepScenarioAsync(PingvasServer server, Action<string, DateTimeOffset>? backdate)
    {
        var store = server.Services.GetRequiredService<IObjectStore>();
        var sweeper = server.Services.GetRequiredService<OrphanObjectSweeper>();
        var user = await server.RegisterAsync();
        var live = (await user.GenerateAsync(TestUser.Request(steps: 1, seed: 3))).Images.Single();
        var liveKeys = ImageKeys(user.Id, live.Id);

        // What a crash between storing and committing leaves: three objects, no row.
        var orphanKeys = ImageKeys(user.Id, Guid.CreateVersion7());
        await PutAllAsync(store, orphanKeys);

        // Not an image key: the sweep does not judge what it does not know.
        var otherKey = $"users/{user.Id:N}/exports/{Guid.CreateVersion7():N}.json";
        await store.PutAsync(otherKey, "{}"u8.ToArray(), "application/json", CancellationToken.None);

        // Young: nothing goes, not even the orphan.
        Assert.Equal(0, await sweeper.RunOnceAsync(CancellationToken.None));
        await AssertPresentAsync(store, [.. orphanKeys, .. liveKeys, otherKey]);

        // A day and an hour later the orphan is old. On the local store a second orphan written at the
        // shifted "now" is young in the same sweep.
        server.Time.Advance(TimeSpan.FromHours(25));
        string[] youngKeys = [];
        if (backdate is not null)
        {
            youngKeys = ImageKeys(user.Id, Guid.CreateVersion7());
            await PutAllAsync(store, youngKeys);
            foreach (var key in youngKeys)
            {
                backdate(key, server.Time.GetUtcNow());
            }
        }

        Assert.Equal(3, await sweeper.RunOnceAsync(CancellationToken.None));
        foreach (var key in orphanKeys)
        {
            Assert.Null(await store.GetAsync(key, CancellationToken.None));
        }

        await AssertPresentAsync(store, [.. liveKeys, otherKey, .. youngKeys]);
        var content = await user.Client.GetAsync($"/api/v1/images/{live.Id}/content");
        Assert.Equal(HttpStatusCode.OK, content.StatusCode);
        Assert.Equal(PngSignature, (await content.Content.ReadAsByteArrayAsync())[..8]);

        // Idempotent: a second sweep finds nothing more.
        Assert.Equal(0, await sweeper.RunOnceAsync(CancellationToken.None));
    }

    private static string[] ImageKeys(Guid userId, Guid imageId) =>
        [ObjectKeys.Original(userId, imageId), ObjectKeys.Thumbnail(userId, imageId, 256), ObjectKeys.Thumbnail(userId, imageId, 512)];

    private static async Task PutAllAsync(IObjectStore store, IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            await store.PutAsync(key, new byte[] { 1, 2, 3 }, ObjectKeys.ContentType(key), CancellationToken.None);
        }
    }

    private static async Task AssertPresentAsync(IObjectStore store, IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            var found = await store.GetAsync(key, CancellationToken.None);
            Assert.True(found is not null, $"{key} should still exist.");
            await found.Content.DisposeAsync();
        }
    }
}
