using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Storage;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Tests.Loras;
using Pingvas.Server.Tests.Uploads;
using Pingvas.Testing.Loras;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.Storage;

/// <summary>
/// <c>GET /me/storage</c> against what is stored, reservations while a job waits or runs, and a user
/// over the quota (after a downgrade): nothing new is taken, nothing is deleted, deleting still works.
/// </summary>
public sealed class StorageUsageTests(StorageUsageTests.Fixture fixture) : IClassFixture<StorageUsageTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;

    public sealed class Fixture() : ServerFixture(new TestSettings { StepDelayMs = 20 });

    [Fact]
    public async Task The_figures_match_what_is_stored_and_a_job_holds_its_reservation_until_it_ends()
    {
        var user = await server.RegisterAsync();
        var other = await server.RegisterAsync();
        var plan = await server.AddStoragePlanAsync(50_000_000);
        await server.SetPlanAsync(user.Id, plan);

        var empty = await user.StorageAsync();
        Assert.Equal((0L, 0L, 50_000_000L, false), (empty.UsedBytes, empty.ReservedBytes, empty.QuotaBytes, empty.OverQuota));

        // A slow job is held while it waits or runs: its reservation is the estimate, then its real bytes replace it.
        var slow = await user.SubmitAsync(TestUser.Request(width: 256, height: 192, steps: 40, batchSize: 2));
        var reserved = StorageQuota.EstimateBytes(256, 192, 2);
        Assert.Equal(reserved, await server.QueryAsync(db => db.Jobs.Where(j => j.Id == slow.Id).Select(j => j.ReservedBytes).SingleAsync()));
        Assert.Equal(reserved, (await user.StorageAsync()).ReservedBytes);
        var done = await user.WaitForAsync(slow.Id);
        Assert.Equal("succeeded", done.Status);

        var first = await user.GenerateAsync(TestUser.Request(steps: 1, seed: 3));
        var upload = await user.UploadAsync(UploadKit.Png(64, 48));
        var lora = await user.UploadLoraAsync(LoraFiles.Sd1(seed: 4));
        await server.TrashAsync(first.Images.Single().Id, server.Time.GetUtcNow().UtcDateTime);

        var stored = await server.StoredImagesAsync(user.Id);
        Assert.Equal(3, stored.Count);
        var real = stored.Where(i => i.JobId == slow.Id).ToList();
        Assert.Equal(2, real.Count);
        Assert.True(real.Sum(i => i.StoredBytes) <= reserved, $"The real outputs ({real.Sum(i => i.StoredBytes)} bytes) outgrew the reservation ({reserved}).");

        var figures = await user.StorageAsync();
        var kept = stored.Where(i => i.DeletedAt is null).ToList();
        var trashed = stored.Single(i => i.DeletedAt is not null);
        Assert.Equal(new BucketBody(2, kept.Sum(i => i.StoredBytes)), figures.Images);
        Assert.Equal(new BucketBody(1, trashed.StoredBytes), figures.Trash);
        Assert.Equal(new BucketBody(1, upload.Bytes), figures.Uploads);
        Assert.Equal(new BucketBody(1, lora.Bytes), figures.Loras);
        Assert.Equal(stored.Sum(i => i.StoredBytes) + upload.Bytes + lora.Bytes, figures.UsedBytes);
        Assert.Equal(0, figures.ReservedBytes);

        // Another user's bytes are theirs: nothing of this user's shows in their figures.
        var theirs = await other.StorageAsync();
        Assert.Equal((0L, 0L, 0L, 1_073_741_824L), (theirs.UsedBytes, theirs.Images.Count, theirs.Trash.Count, theirs.QuotaBytes!.Value));
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.CreateClient().GetAsync("/api/v1/me/storage")).StatusCode);
    }

    [Fact]
    public async Task Over_the_quota_after_a_downgrade_nothing_new_is_taken_but_listing_and_deleting_work()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, await server.AddStoragePlanAsync(null));
        var generated = await user.GenerateAsync(TestUser.Request(steps: 1));
        var upload = await user.UploadAsync(UploadKit.Png(64, 64, seed: 5));
        var lora = await user.UploadLoraAsync(LoraFiles.Sd1(seed: 6));
        var unlimited = await user.StorageAsync();
        Assert.Null(unlimited.QuotaBytes);
        Assert.False(unlimited.OverQuota);

        // The downgrade: a quota one byte below what is stored. Nothing is deleted.
        var plan = await server.AddStoragePlanAsync(unlimited.UsedBytes - 1);
        await server.SetPlanAsync(user.Id, plan);
        var over = await user.StorageAsync();
        Assert.True(over.OverQuota);
        Assert.Equal(unlimited.UsedBytes, over.UsedBytes);

        var refusal = await AssertProblemAsync(await user.Client.PostAsJsonAsync("/api/v1/generations", TestUser.Request(steps: 1)), HttpStatusCode.Forbidden, "storage_quota_exceeded");
        Assert.Contains(plan, (string?)refusal["detail"], StringComparison.Ordinal);
        await AssertProblemAsync(await user.PostUploadAsync(UploadKit.Png(32, 32, seed: 7)), HttpStatusCode.Forbidden, "storage_quota_exceeded");
        await AssertProblemAsync(await user.PostLoraAsync(LoraFiles.Sd1(seed: 8)), HttpStatusCode.Forbidden, "storage_quota_exceeded");
        Assert.Single(await server.QueryAsync(db => db.Jobs.Where(j => j.UserId == user.Id).ToListAsync()));
        Assert.Single(await user.LedgerAsync(), e => e.Kind == "reserve");

        // The estimate tells the form before a submit, with the same problem.
        var estimate = (await (await user.Client.PostAsJsonAsync("/api/v1/generations/estimate", TestUser.Request(steps: 1))).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.False((bool)estimate["allowed"]!);
        Assert.Equal("storage_quota_exceeded", (string?)estimate["problem"]!["code"]);

        // Listing works; deleting frees room, and a small upload fits again.
        Assert.Single(await AllAsync<ImageBody>(user.Client, "/api/v1/images"));
        Assert.Single(await AllAsync<UploadBody>(user.Client, "/api/v1/uploads"));
        Assert.Single((await user.LorasAsync()).Items);
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/loras/{lora.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/uploads/{upload.Id}")).StatusCode);
        var after = await user.StorageAsync();
        Assert.False(after.OverQuota);
        Assert.Equal((long)generated.Images.Count, after.Images.Count);
        await user.UploadAsync(UploadKit.Png(32, 32, seed: 7));
    }
}
