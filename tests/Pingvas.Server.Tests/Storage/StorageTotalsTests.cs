using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Gallery;
using Pingvas.Server.Jobs;
using Pingvas.Server.Storage;
using Pingvas.Server.Tests.Gallery;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Tests.Loras;
using Pingvas.Server.Tests.Uploads;
using Pingvas.Testing.Loras;

namespace Pingvas.Server.Tests.Storage;

/// <summary>
/// The running totals on the user's row (<c>users.stored_bytes</c>, <c>users.reserved_bytes</c>, kept
/// by the triggers of migration 0026) against the sums they replace, after every kind of write the
/// API, the workers and the sweeps make: generate, upload, LoRA, trash, restore, purge, delete, cancel,
/// fail, account deletion. On PostgreSQL the writes come in the user's context (requests) and in
/// system context (workers settle jobs, the trash purge), both under forced row-level security.
/// </summary>
public sealed class StorageTotalsTests(StorageTotalsTests.Fixture fixture) : IClassFixture<StorageTotalsTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;

    /// <summary>Steps take 20 ms, so a 100-step job keeps the one behind it queued; <c>fail:</c> prompts fail.</summary>
    public sealed class Fixture() : ServerFixture(new TestSettings { StepDelayMs = 20 })
    {
        protected override void ConfigureServices(IServiceCollection services) => ScriptedEngine.Install(services);
    }

    private sealed record Totals(long Stored, long Reserved, long SumStored, long SumReserved);

    [Fact]
    public async Task The_totals_follow_every_write_of_the_api_and_the_workers()
    {
        var user = await server.RegisterAsync();
        var other = await server.RegisterAsync();
        // One job at a time (the plan's ConcurrentJobs), so a second submit waits in the queue.
        await server.SetPlanAsync(user.Id, await server.AddStoragePlanAsync(200_000_000));
        await AssertExactAsync(server, user.Id, stored: 0, reserved: 0);

        var generated = await user.GenerateAsync(TestUser.Request(steps: 1, batchSize: 2));
        var upload = await user.UploadAsync(UploadKit.Png(64, 48));
        var lora = await user.UploadLoraAsync(LoraFiles.Sd1(seed: 11));
        var imageBytes = (await server.StoredImagesAsync(user.Id)).Sum(i => i.StoredBytes);
        await AssertExactAsync(server, user.Id, stored: imageBytes + upload.Bytes + lora.Bytes, reserved: 0);

        // Running and queued jobs hold their estimates; the queued one cancelled, then the running one.
        var running = await user.SubmitAsync(TestUser.Request(width: 128, height: 96, steps: 100));
        var queued = await user.SubmitAsync(TestUser.Request(width: 64, height: 64, steps: 1, batchSize: 3));
        Assert.Equal("queued", (await user.GetAsync(queued.Id)).Status);
        var held = StorageQuota.EstimateBytes(128, 96, 1) + StorageQuota.EstimateBytes(64, 64, 3);
        Assert.Equal(held, (await AssertExactAsync(server, user.Id)).Reserved);
        Assert.Equal(held, (await user.StorageAsync()).ReservedBytes);
        await user.Client.PostAsync($"/api/v1/generations/{queued.Id}/cancel", null);
        Assert.Equal("cancelled", (await user.WaitForAsync(queued.Id, "cancelled")).Status);
        Assert.Equal(StorageQuota.EstimateBytes(128, 96, 1), (await AssertExactAsync(server, user.Id)).Reserved);
        await user.Client.PostAsync($"/api/v1/generations/{running.Id}/cancel", null);
        await user.WaitForAsync(running.Id, "cancelled", "succeeded");
        await AssertExactAsync(server, user.Id, reserved: 0);

        // A failed job releases its reservation and stores nothing.
        var failed = await user.SubmitAsync(TestUser.Request(prompt: "fail: a broken node", steps: 2));
        Assert.Equal("failed", (await user.WaitForAsync(failed.Id, "failed")).Status);
        var afterJobs = await AssertExactAsync(server, user.Id, reserved: 0);

        // Trash and restore move nothing; emptying the trash (the user's context) takes the image out.
        var first = generated.Images[0];
        Assert.Equal(1, (await (await user.Client.PostAsJsonAsync("/api/v1/images/trash", new { imageIds = new[] { first.Id } })).CountsAsync()).Trashed);
        await AssertExactAsync(server, user.Id, stored: afterJobs.Stored);
        Assert.Equal(HttpStatusCode.OK, (await user.Client.PostAsync($"/api/v1/images/{first.Id}/restore", null)).StatusCode);
        await AssertExactAsync(server, user.Id, stored: afterJobs.Stored);
        var firstBytes = (await server.StoredImagesAsync(user.Id)).Single(i => i.Id == first.Id).StoredBytes;
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/images/{first.Id}")).StatusCode);
        Assert.Equal(1, (await (await user.Client.DeleteAsync("/api/v1/images/trash")).CountsAsync()).Purged);
        await AssertExactAsync(server, user.Id, stored: afterJobs.Stored - firstBytes);

        // Deleting the upload and the LoRA takes their bytes out; what is left is the one image.
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/uploads/{upload.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/loras/{lora.Id}")).StatusCode);
        var left = (await server.StoredImagesAsync(user.Id)).Sum(i => i.StoredBytes);
        await AssertExactAsync(server, user.Id, stored: left, reserved: 0);

        // GET /me/storage shows the running totals, and its breakdown adds up to them.
        var figures = await user.StorageAsync();
        Assert.Equal(left, figures.UsedBytes);
        Assert.Equal(figures.Images.Bytes + figures.Trash.Bytes + figures.Uploads.Bytes + figures.Loras.Bytes, figures.UsedBytes);
        Assert.Equal(0, figures.ReservedBytes);

        // Nothing of this user's reached the other user's row.
        await AssertExactAsync(server, other.Id, stored: 0, reserved: 0);
        await server.WaitUntilIdleAsync();
    }

    [Fact]
    public async Task The_trash_purge_and_account_deletion_take_the_bytes_out()
    {
        // Its own server: a month on its clock would expire the tokens of the other test.
        await using var own = await PingvasServer.StartAsync(new TestSettings());
        var user = await own.RegisterAsync();
        var leaving = await own.RegisterAsync();
        var plan = await own.AddStoragePlanAsync(null);
        await own.SetPlanAsync(user.Id, plan);
        await own.SetPlanAsync(leaving.Id, plan);
        var images = await user.ImagesAsync(3);
        foreach (var owner in new[] { user, leaving })
        {
            await owner.UploadAsync(UploadKit.Png(32, 32, seed: 3));
            await owner.UploadLoraAsync(LoraFiles.Sd1(seed: 12));
        }

        // Account deletion deletes every image, upload and LoRA row: the tombstone stores nothing. A job
        // waiting at the time is cancelled first, so nothing stays reserved either.
        await leaving.ImagesAsync(2);
        var waiting = await leaving.SubmitAsync(TestUser.Request(steps: 50));
        Assert.NotEqual(0, (await AssertExactAsync(own, leaving.Id)).Stored);
        var deleted = await leaving.Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/v1/me") { Content = JsonContent.Create(new { password = leaving.Password }) });
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await AssertExactAsync(own, leaving.Id, stored: 0, reserved: 0);
        Assert.False(await own.QueryAsync(db => db.Jobs.AnyAsync(j => j.Id == waiting.Id && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running))));

        // The purge runs in system context: the image trashed 30 days ago goes, with its bytes.
        var before = await AssertExactAsync(own, user.Id, reserved: 0);
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/images/{images[0]}")).StatusCode);
        var purgedBytes = (await own.StoredImagesAsync(user.Id)).Single(i => i.Id == images[0]).StoredBytes;
        own.Time.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        Assert.Equal(1, await own.Services.GetRequiredService<TrashPurge>().RunOnceAsync(CancellationToken.None));
        await AssertExactAsync(own, user.Id, stored: before.Stored - purgedBytes, reserved: 0);
    }

    /// <summary>
    /// Reads the user's totals and recomputes them from the rows in one statement (one snapshot: a
    /// worker may move a job meanwhile), asserts they agree and, when given, what they should be.
    /// </summary>
    private static async Task<Totals> AssertExactAsync(PingvasServer on, Guid userId, long? stored = null, long? reserved = null)
    {
        var totals = await on.QueryAsync(db => db.Users.Where(u => u.Id == userId).Select(u => new Totals(
            u.StoredBytes,
            u.ReservedBytes,
            (db.Images.IgnoreQueryFilters().Where(i => i.UserId == u.Id).Sum(i => (long?)i.StoredBytes) ?? 0)
                + (db.Uploads.Where(x => x.UserId == u.Id).Sum(x => (long?)x.Bytes) ?? 0)
                + (db.Loras.Where(l => l.UserId == u.Id).Sum(l => (long?)l.Bytes) ?? 0),
            db.Jobs.Where(j => j.UserId == u.Id && (j.Status == JobStatus.Queued || j.Status == JobStatus.Running)).Sum(j => (long?)j.ReservedBytes) ?? 0))
            .SingleAsync());
        Assert.Equal(totals.SumStored, totals.Stored);
        Assert.Equal(totals.SumReserved, totals.Reserved);
        if (stored is { } s)
        {
            Assert.Equal(s, totals.Stored);
        }

        if (reserved is { } r)
        {
            Assert.Equal(r, totals.Reserved);
        }

        return totals;
    }
}
