using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests;

/// <summary>
/// Another user's resource answers exactly as a missing one does, on every endpoint, and nothing
/// another user does can change it. Steps take 200 ms here so a job stays running or queued long
/// enough to be attacked.
/// </summary>
public sealed class TenantIsolationTests(TenantIsolationTests.Fixture fixture) : IClassFixture<TenantIsolationTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;

    public sealed class Fixture() : ServerFixture(new TestSettings { StepDelayMs = 200, WorkerConcurrency = 4 });

    [Fact]
    public async Task Another_users_generation_is_not_found_and_cannot_be_cancelled()
    {
        var alice = await server.RegisterAsync();
        var bob = await server.RegisterAsync();
        var running = await alice.SubmitAsync(TestUser.Request(steps: 40, seed: 1));
        await alice.WaitForAsync(running.Id, "running");
        var queued = await alice.SubmitAsync(TestUser.Request(steps: 40, seed: 2));
        Assert.Equal("queued", (await alice.GetAsync(queued.Id)).Status);
        var missing = Guid.CreateVersion7();

        foreach (var target in new[] { running.Id, queued.Id })
        {
            var expected = await AssertProblemAsync(await bob.Client.GetAsync($"/api/v1/generations/{missing}"), HttpStatusCode.NotFound, "not_found");
            var actual = await AssertProblemAsync(await bob.Client.GetAsync($"/api/v1/generations/{target}"), HttpStatusCode.NotFound, "not_found");
            Assert.Equal(expected.ToJsonString(), actual.ToJsonString());

            expected = await AssertProblemAsync(await bob.Client.PostAsync($"/api/v1/generations/{missing}/cancel", null), HttpStatusCode.NotFound, "not_found");
            actual = await AssertProblemAsync(await bob.Client.PostAsync($"/api/v1/generations/{target}/cancel", null), HttpStatusCode.NotFound, "not_found");
            Assert.Equal(expected.ToJsonString(), actual.ToJsonString());
        }

        // Bob's attempts changed nothing: the queued job still waits with its hold, the running one runs on.
        Assert.Equal("queued", (await alice.GetAsync(queued.Id)).Status);
        var stillRunning = await alice.GetAsync(running.Id);
        Assert.Equal("running", stillRunning.Status);
        await Eventually.UntilAsync(async () => (await alice.GetAsync(running.Id)).Progress.Step > stillRunning.Progress.Step,
            TimeSpan.FromSeconds(20), "Bob's cancel stopped Alice's running job.");
        var ledger = await alice.LedgerAsync();
        Assert.DoesNotContain(ledger, e => e.Kind is "release" or "refund");
        Assert.Equal(2, ledger.Count(e => e.Kind == "reserve"));

        // Alice herself can cancel both.
        var cancelled = await alice.Client.PostAsync($"/api/v1/generations/{queued.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("cancelled", (await alice.GetAsync(queued.Id)).Status);
        await alice.Client.PostAsync($"/api/v1/generations/{running.Id}/cancel", null);
        Assert.Equal("cancelled", (await alice.WaitForAsync(running.Id)).Status);
    }

    [Fact]
    public async Task Another_users_image_is_not_found_and_cannot_be_read_or_deleted()
    {
        var alice = await server.RegisterAsync();
        var bob = await server.RegisterAsync();
        var image = (await alice.GenerateAsync(TestUser.Request(steps: 1))).Images.Single();
        var missing = Guid.CreateVersion7();

        string[] paths = ["", "/content", "/content?size=original", "/content?size=256", "/content?size=512", "/content?size=bogus"];
        foreach (var path in paths)
        {
            var expected = await AssertProblemAsync(await bob.Client.GetAsync($"/api/v1/images/{missing}{path}"), HttpStatusCode.NotFound, "not_found");
            var actual = await AssertProblemAsync(await bob.Client.GetAsync($"/api/v1/images/{image.Id}{path}"), HttpStatusCode.NotFound, "not_found");
            Assert.Equal(expected.ToJsonString(), actual.ToJsonString());
        }

        foreach (var query in new[] { "", "?permanent=true" })
        {
            var deleteMissing = await AssertProblemAsync(await bob.Client.DeleteAsync($"/api/v1/images/{missing}{query}"), HttpStatusCode.NotFound, "image_not_found");
            var deleteTheirs = await AssertProblemAsync(await bob.Client.DeleteAsync($"/api/v1/images/{image.Id}{query}"), HttpStatusCode.NotFound, "image_not_found");
            Assert.Equal(deleteMissing.ToJsonString(), deleteTheirs.ToJsonString());
        }

        Assert.Equal(HttpStatusCode.OK, (await alice.Client.GetAsync($"/api/v1/images/{image.Id}")).StatusCode);

        // Alice's image is untouched: its row, its objects on disk, its bytes.
        var mine = await alice.Client.GetFromJsonAsync<ImageBody>($"/api/v1/images/{image.Id}", Json.Options);
        Assert.Equal(image.Id, mine!.Id);
        Assert.All(ObjectFiles(server, alice.Id, image.Id), file => Assert.True(File.Exists(file), $"{file} was deleted."));
        var png = await alice.Client.GetByteArrayAsync($"/api/v1/images/{image.Id}/content");
        Assert.Equal(PngSignature, png[..8]);
        Assert.Equal(image.Id, Assert.Single((await alice.GetAsync(mine.GenerationId)).Images).Id);
    }

    [Fact]
    public async Task Lists_show_only_the_callers_own_items()
    {
        var alice = await server.RegisterAsync();
        var bob = await server.RegisterAsync();
        var aliceJobs = new[] { await alice.GenerateAsync(TestUser.Request(steps: 1, seed: 1)), await alice.GenerateAsync(TestUser.Request(steps: 1, seed: 2)) };
        var bobJob = await bob.GenerateAsync(TestUser.Request(steps: 1, seed: 3));

        var aliceIds = aliceJobs.Select(j => j.Id).ToHashSet();
        var aliceImages = aliceJobs.SelectMany(j => j.Images).Select(i => i.Id).ToHashSet();

        // Small pages too, so every page of the walk is checked and cursors cannot leak either.
        foreach (var limit in new[] { 1, 100 })
        {
            var jobs = await AllAsync<GenerationBody>(bob.Client, "/api/v1/generations", limit);
            Assert.Equal([bobJob.Id], jobs.Select(j => j.Id));
            Assert.DoesNotContain(jobs.SelectMany(j => j.Images), i => aliceImages.Contains(i.Id));

            var images = await AllAsync<ImageBody>(bob.Client, "/api/v1/images", limit);
            Assert.Equal(bobJob.Images.Select(i => i.Id), images.Select(i => i.Id));

            var ledger = await AllAsync<LedgerEntryBody>(bob.Client, "/api/v1/credits/ledger", limit);
            Assert.NotEmpty(ledger);
            Assert.All(ledger, e => Assert.True(e.JobId is null || e.JobId == bobJob.Id, $"Bob sees ledger entry {e.Id} of job {e.JobId}."));
            Assert.Contains(ledger, e => e.Kind == "charge" && e.JobId == bobJob.Id);
        }

        // And the other way round.
        var aliceList = await AllAsync<GenerationBody>(alice.Client, "/api/v1/generations");
        Assert.Equal(aliceIds.OrderDescending(), aliceList.Select(j => j.Id));
        var aliceLedger = await alice.LedgerAsync();
        Assert.DoesNotContain(aliceLedger, e => e.JobId == bobJob.Id);
    }

    [Theory]
    [InlineData("GET", "/api/v1/generations")]
    [InlineData("GET", "/api/v1/generations/{id}")]
    [InlineData("POST", "/api/v1/generations/{id}/cancel")]
    [InlineData("POST", "/api/v1/generations/cancel-queued")]
    [InlineData("GET", "/api/v1/images")]
    [InlineData("GET", "/api/v1/images?model=sd-1.5")]
    [InlineData("GET", "/api/v1/images/models")]
    [InlineData("GET", "/api/v1/images/{id}")]
    [InlineData("GET", "/api/v1/images/{id}/content")]
    [InlineData("DELETE", "/api/v1/images/{id}")]
    [InlineData("DELETE", "/api/v1/images/{id}?permanent=true")]
    [InlineData("PATCH", "/api/v1/images/{id}")]
    [InlineData("POST", "/api/v1/images/move")]
    [InlineData("POST", "/api/v1/images/trash")]
    [InlineData("POST", "/api/v1/images/{id}/restore")]
    [InlineData("DELETE", "/api/v1/images/trash")]
    [InlineData("GET", "/api/v1/folders")]
    [InlineData("POST", "/api/v1/folders")]
    [InlineData("PATCH", "/api/v1/folders/{id}")]
    [InlineData("DELETE", "/api/v1/folders/{id}")]
    [InlineData("GET", "/api/v1/tags")]
    [InlineData("POST", "/api/v1/tags/rename")]
    [InlineData("DELETE", "/api/v1/tags/sunset")]
    [InlineData("GET", "/api/v1/credits/ledger")]
    public async Task Every_endpoint_needs_a_token(string method, string path)
    {
        using var anonymous = server.CreateClient();
        var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{id}", Guid.CreateVersion7().ToString(), StringComparison.Ordinal));
        await AssertProblemAsync(await anonymous.SendAsync(request), HttpStatusCode.Unauthorized, "unauthorized");
    }
}
