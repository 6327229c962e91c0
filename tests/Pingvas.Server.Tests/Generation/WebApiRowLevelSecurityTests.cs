using System.Net;
using System.Net.Http.Json;

using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Data;
using Pingvas.Server.Jobs;
using Pingvas.Server.Tests.Gallery;
using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.Generation;

/// <summary>
/// The calls the web app added (cancel-queued, the gallery's model filter and counts, gallery images
/// as inputs, deleting an image in use) under PostgreSQL row-level security with every
/// <c>user_id = @…</c> filter cut out of the request's SQL (<see cref="RowLevelSecurityApiTests"/>):
/// each still acts on the caller's rows only.
/// </summary>
public sealed class WebApiRowLevelSecurityTests(WebApiRowLevelSecurityTests.Fixture fixture) : IClassFixture<WebApiRowLevelSecurityTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;

    /// <summary>100 ms per step: a 150-step job keeps its owner's other jobs waiting.</summary>
    public sealed class Fixture() : ServerFixture(new TestSettings { StepDelayMs = 100, WorkerConcurrency = 2 }, postgres: true)
    {
        internal RowLevelSecurityApiTests.ForgetfulLog Log { get; } = new();

        protected override void ConfigureServices(IServiceCollection services) =>
            services.ConfigureDbContext<PingvasDb>((sp, options) =>
                options.AddInterceptors(new RowLevelSecurityApiTests.ForgetfulQueries(sp.GetRequiredService<IHttpContextAccessor>(), Log)));
    }

    [Fact]
    public async Task Cancel_queued_the_model_filter_and_gallery_inputs_see_only_the_callers_rows()
    {
        var alice = await server.RegisterAsync();
        var bob = await server.RegisterAsync();
        var alicesImage = (await alice.GenerateAsync(TestUser.Request(steps: 1, seed: 1))).Images.Single();
        var bobsImage = (await bob.GenerateAsync(TestUser.Request(steps: 1, seed: 2))).Images.Single();

        // Each: one job running, two waiting (Free runs one at a time); Bob's first input is his own gallery image.
        var running = new List<GenerationBody>();
        foreach (var user in new[] { alice, bob })
        {
            running.Add(await user.SubmitAsync(TestUser.Request(width: 512, height: 512, steps: 150)));
        }

        await alice.WaitForAsync(running[0].Id, "running");
        await bob.WaitForAsync(running[1].Id, "running");
        var alicesQueued = new[] { await alice.SubmitAsync(TestUser.Request(steps: 1, seed: 3)), await alice.SubmitAsync(TestUser.Request(steps: 1, seed: 4)) };
        var bobsQueued = new[]
        {
            await bob.SubmitAsync(new { prompt = "x", model = "sd-1.5", initImageId = bobsImage.Id, steps = 1 }),
            await bob.SubmitAsync(TestUser.Request(steps: 1, seed: 5)),
        };

        // Cancel-queued: Alice's two, none of Bob's.
        var response = await alice.Client.PostAsync("/api/v1/generations/cancel-queued", null);
        var body = (await response.Content.ReadFromJsonAsync<CancelQueuedBody>(Json.Options))!;
        Assert.Equal(alicesQueued.Select(j => j.Id).Order(), body.Ids.Order());
        foreach (var job in bobsQueued)
        {
            Assert.Equal(JobStatus.Queued, await StatusAsync(job.Id));
        }

        Assert.Equal(JobStatus.Running, await StatusAsync(running[1].Id));

        // The gallery's filter and counts: Alice's only.
        Assert.Equal([alicesImage.Id], (await AllAsync<ImageBody>(alice.Client, "/api/v1/images?model=sd-1.5")).Select(i => i.Id));
        Assert.Equal([new ImageModelCountBody("sd-1.5", 1)], (await alice.Client.GetFromJsonAsync<ImageModelsBody>("/api/v1/images/models", Json.Options))!.Items);

        // Bob's gallery image is no input of Alice's, and she cannot delete it (in use or not, it is not hers).
        await AssertProblemAsync(
            await alice.Client.PostAsJsonAsync("/api/v1/generations", new { prompt = "x", model = "sd-1.5", initImageId = bobsImage.Id }), HttpStatusCode.BadRequest, "invalid_image_reference");
        Assert.Equal(HttpStatusCode.NotFound, (await alice.Client.DeleteAsync($"/api/v1/images/{bobsImage.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.Client.DeleteAsync($"/api/v1/images/{bobsImage.Id}?permanent=true")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await bob.Client.DeleteAsync($"/api/v1/images/{bobsImage.Id}")).StatusCode);
        await AssertProblemAsync(await bob.Client.DeleteAsync($"/api/v1/images/{bobsImage.Id}?permanent=true"), HttpStatusCode.Conflict, "image_in_use");
        Assert.True(await server.QueryAsync(db => db.Images.IgnoreQueryFilters().AnyAsync(i => i.Id == bobsImage.Id)));

        // The filters really were cut from these requests' SQL.
        Assert.Contains(fixture.Log.Stripped, sql => sql.Contains("FROM images", StringComparison.Ordinal) && sql.Contains("GROUP BY", StringComparison.Ordinal));
        Assert.Contains(fixture.Log.Stripped, sql => sql.Contains("FROM jobs", StringComparison.Ordinal) && sql.Contains("queued", StringComparison.Ordinal));

        foreach (var (user, job) in new[] { (alice, running[0]), (bob, running[1]) })
        {
            await user.Client.PostAsync($"/api/v1/generations/{job.Id}/cancel", null);
        }

        await bob.Client.PostAsync("/api/v1/generations/cancel-queued", null);
        await server.WaitUntilIdleAsync();
    }

    private Task<JobStatus> StatusAsync(Guid jobId) =>
        server.QueryAsync(db => db.Jobs.Where(j => j.Id == jobId).Select(j => j.Status).SingleAsync());
}
