using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Jobs;
using Pingvas.Server.Storage;
using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.Storage;

/// <summary>
/// Two submits that together exceed the storage quota: the owner's lock serialises them, so exactly
/// one is refused with 403 storage_quota_exceeded, on either database. Slow steps keep the taken job
/// queued or running (its reservation counting) while the other decides.
/// </summary>
public sealed class QuotaRaceTests(QuotaRaceTests.Fixture fixture) : IClassFixture<QuotaRaceTests.Fixture>
{
    private const int Side = 512;

    private readonly PingvasServer server = fixture.Server;

    public sealed class Fixture() : ServerFixture(new TestSettings { StepDelayMs = 100 });

    [Fact]
    public async Task Two_submits_that_together_exceed_the_quota_one_is_refused()
    {
        var each = StorageQuota.EstimateBytes(Side, Side, 1);
        var plan = await server.AddStoragePlanAsync(each + each / 2);
        for (var round = 0; round < 5; round++)
        {
            var user = await server.RegisterAsync();
            await server.SetPlanAsync(user.Id, plan);
            var request = TestUser.Request(width: Side, height: Side, steps: 30, seed: round);
            var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => user.Client.PostAsJsonAsync("/api/v1/generations", request)));

            var accepted = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Accepted);
            var refused = Assert.Single(responses, r => r != accepted);
            var problem = await AssertProblemAsync(refused, HttpStatusCode.Forbidden, "storage_quota_exceeded");
            Assert.Contains(plan, (string?)problem["detail"], StringComparison.Ordinal);

            // The refused submit moved no credits: one reservation in the ledger, one job with its bytes held.
            var job = (await accepted.Content.ReadFromJsonAsync<GenerationBody>(Json.Options))!;
            Assert.Single(await user.LedgerAsync(), e => e.Kind == "reserve");
            var jobs = await server.QueryAsync(db => db.Jobs.AsNoTracking().Where(j => j.UserId == user.Id).ToListAsync());
            Assert.Equal(each, Assert.Single(jobs).ReservedBytes);
            Assert.Equal(each, (await user.StorageAsync()).ReservedBytes);

            // Cancelled, the job stops counting: the next submit fits again (and is cancelled in turn).
            await user.Client.PostAsync($"/api/v1/generations/{job.Id}/cancel", null);
            await user.WaitForAsync(job.Id, "cancelled", "succeeded");
            Assert.Equal(0, (await user.StorageAsync()).ReservedBytes);
            var again = await user.SubmitAsync(request);
            await user.Client.PostAsync($"/api/v1/generations/{again.Id}/cancel", null);
            await user.WaitForAsync(again.Id, "cancelled", "succeeded");
        }

        await server.WaitUntilIdleAsync();
        Assert.False(await server.QueryAsync(db => db.Jobs.AnyAsync(j => j.Status == JobStatus.Queued || j.Status == JobStatus.Running)));
    }
}
