using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Workers;

/// <summary>
/// The API refuses a model no live worker serves (422 <c>model_unavailable</c>), judged by the
/// worker registry rather than by the engines registered in its own process.
/// </summary>
public sealed class ModelAvailabilityTests
{
    [Fact]
    public async Task A_process_with_the_engine_but_no_workers_refuses_the_model_and_lists_it_unavailable()
    {
        // The procedural engine is registered in the process; only its workers are taken out.
        await using var server = await PingvasServer.StartAsync(new TestSettings(), configureServices: RemoteWorker.RemovePool);
        var user = await server.RegisterAsync();

        var refused = await user.Client.PostAsJsonAsync("/api/v1/generations", TestUser.Request());
        await ProblemAssert.ReadAsync(refused, HttpStatusCode.UnprocessableEntity, "model_unavailable");
        var models = (await user.Client.GetFromJsonAsync<List<ModelBody>>("/api/v1/models", Json.Options))!;
        Assert.NotEmpty(models);
        Assert.All(models, m => Assert.False(m.Available, m.Id));
        Assert.All(models, m => Assert.Null(m.Engine));
        Assert.Empty(await WorkerRows.AllAsync(server));
    }

    [Fact]
    public async Task A_model_of_a_fleet_scaled_to_zero_queues_its_jobs_for_the_worker_to_come()
    {
        // No worker at all, as when the GPU class has scaled to zero: its model still takes jobs.
        await using var server = await PingvasServer.StartAsync(
            new TestSettings().With("Workers:ScaledModels:sd-1.5", "invokeai"), configureServices: RemoteWorker.RemovePool);
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "pro"); // FLUX allowed, to see an unscaled model still refused

        var job = await user.SubmitAsync(TestUser.Request(steps: 2));
        Assert.Equal("queued", job.Status);
        var models = (await user.Client.GetFromJsonAsync<List<ModelBody>>("/api/v1/models", Json.Options))!;
        var scaled = models.Single(m => m.Id == "sd-1.5");
        Assert.True(scaled.Available);
        Assert.Equal("invokeai", scaled.Engine);
        Assert.All(models.Where(m => m.Id != "sd-1.5"), m => Assert.False(m.Available, m.Id));
        var other = models.First(m => m.Id != "sd-1.5" && m.Allowed);
        await ProblemAssert.ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/generations", TestUser.Request(model: other.Id)),
            HttpStatusCode.UnprocessableEntity, "model_unavailable");

        // It waits (nothing claims it) and leaves with a full refund when cancelled.
        Assert.Equal("queued", (await user.GetAsync(job.Id)).Status);
        using var cancel = await user.Client.PostAsync($"/api/v1/generations/{job.Id}/cancel", null);
        Assert.Equal("cancelled", (await user.WaitForAsync(job.Id)).Status);
    }
}

/// <summary>The production topology: an api process decides from the workers of other processes, and a stopped worker takes its models with it.</summary>
[Collection(ProcessTests.Collection)]
public sealed class ClusterModelAvailabilityTests
{
    [Fact]
    public async Task An_api_accepts_a_model_while_a_worker_serves_it_and_refuses_it_once_the_worker_stops()
    {
        await using var cluster = await PingvasCluster.StartAsync(apis: 1, workers: 1);
        var api = cluster.Apis[0];
        var user = await cluster.RegisterAsync(api);
        using var client = api.CreateClient(user.AccessToken);

        var job = await user.SubmitAsync(api, TestUser.Request(steps: 2));
        Assert.Equal("succeeded", (await user.WaitForTerminalAsync(api, job.Id, ProcessTests.Bounded, cluster.Describe)).Status);
        var served = (await client.GetFromJsonAsync<List<ModelBody>>("/api/v1/models", Json.Options))!.Single(m => m.Id == "sd-1.5");
        Assert.True(served.Available);
        Assert.Equal("procedural", served.Engine);

        // A clean stop removes the worker's rows; the api sees it within its 2 s availability cache.
        await cluster.Workers[0].StopAsync(TimeSpan.FromSeconds(30));
        await Eventually.UntilAsync(async () =>
        {
            using var response = await client.PostAsJsonAsync("/api/v1/generations", TestUser.Request(steps: 2));
            return response.StatusCode == HttpStatusCode.UnprocessableEntity;
        }, TimeSpan.FromSeconds(10), "the api refuses the model once no worker serves it", TimeSpan.FromMilliseconds(250));
        using var refused = await client.PostAsJsonAsync("/api/v1/generations", TestUser.Request(steps: 2));
        await ProblemAssert.ReadAsync(refused, HttpStatusCode.UnprocessableEntity, "model_unavailable");
        Assert.False((await client.GetFromJsonAsync<List<ModelBody>>("/api/v1/models", Json.Options))!.Single(m => m.Id == "sd-1.5").Available);
    }
}
