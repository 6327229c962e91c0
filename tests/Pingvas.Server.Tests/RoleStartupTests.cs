using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>The api and worker roles start only where they make sense, and say why when they refuse.</summary>
[Collection(ProcessTests.Collection)]
public sealed class RoleStartupTests
{
    [Theory]
    [InlineData("api")]
    [InlineData("worker")]
    public async Task Api_and_worker_refuse_sqlite_with_a_clear_message(string role)
    {
        await using var cluster = await PingvasCluster.CreateAsync(new TestSettings().With("Database:Provider", "sqlite"));
        var (exit, log) = await PingvasProcess.RunToExitAsync(role, cluster.Environment, cluster.DataPath, cluster.LogFolder);
        Assert.Equal(1, exit);
        Assert.Contains("Database__Provider=postgres", log, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api")]
    [InlineData("worker")]
    public async Task Api_and_worker_refuse_an_unmigrated_database_and_a_missing_signing_key(string role)
    {
        await using var cluster = await PingvasCluster.CreateAsync();
        var (exit, log) = await PingvasProcess.RunToExitAsync(role, cluster.Environment, cluster.DataPath, cluster.LogFolder);
        Assert.True(exit == 2, log);
        Assert.Contains("pingvas migrate", log, StringComparison.Ordinal);

        Assert.Equal(0, (await PingvasProcess.RunToExitAsync("migrate", cluster.Environment, cluster.DataPath, cluster.LogFolder)).ExitCode);
        var keyless = new Dictionary<string, string>(cluster.Environment);
        keyless.Remove("Auth__SigningKey");
        (exit, log) = await PingvasProcess.RunToExitAsync(role, keyless, cluster.DataPath, cluster.LogFolder);
        Assert.True(exit == 1, log);
        Assert.Contains("Auth__SigningKey", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_serves_only_its_health_endpoints_and_an_api_runs_no_jobs()
    {
        await using var cluster = await PingvasCluster.StartAsync(apis: 1, workers: 0);
        var worker = await cluster.StartProcessAsync("worker", new TestSettings { StepDelayMs = 0 });
        using (var http = worker.CreateClient())
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
            Assert.Equal("Healthy", await http.GetStringAsync("/health/ready"));
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/plans")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/hubs/progress/negotiate?negotiateVersion=1", null)).StatusCode);
        }

        // With the only worker stopped (SIGTERM), the API refuses the model: it has the engine
        // registered but runs no worker itself, and the registry has none left.
        await worker.StopAsync(TimeSpan.FromSeconds(30));
        Assert.True(worker.HasExited);
        var api = cluster.Apis[0];
        var user = await cluster.RegisterAsync(api);
        using var client = api.CreateClient(user.AccessToken);
        using (var refused = await client.PostAsJsonAsync("/api/v1/generations", TestUser.Request(steps: 2, seed: 31)))
        {
            await ProblemAssert.ReadAsync(refused, HttpStatusCode.UnprocessableEntity, "model_unavailable");
        }

        // A worker started later is in the registry before it is ready, and runs what is submitted
        // once the API's availability cache (2 s) has seen it.
        await cluster.StartProcessAsync("worker");
        Guid? accepted = null;
        await Eventually.UntilAsync(async () =>
        {
            using var response = await client.PostAsJsonAsync("/api/v1/generations", TestUser.Request(steps: 2, seed: 31));
            accepted = response.StatusCode == HttpStatusCode.Accepted ? (await response.Content.ReadFromJsonAsync<GenerationBody>(Json.Options))!.Id : null;
            return accepted is not null;
        }, TimeSpan.FromSeconds(10), "the api accepts the model once a worker serves it", TimeSpan.FromMilliseconds(250));
        var done = await user.WaitForTerminalAsync(api, accepted!.Value, ProcessTests.Bounded, cluster.Describe);
        Assert.Equal("succeeded", done.Status);
    }

    [Fact]
    public async Task Help_lists_the_roles_and_an_unknown_role_is_refused()
    {
        await using var cluster = await PingvasCluster.CreateAsync();
        var (exit, log) = await PingvasProcess.RunToExitAsync("help", cluster.Environment, cluster.DataPath, cluster.LogFolder);
        Assert.Equal(0, exit);
        foreach (var role in new[] { "serve", "api", "worker", "migrate" })
        {
            Assert.Contains($"  {role} ", log, StringComparison.Ordinal);
        }

        (exit, log) = await PingvasProcess.RunToExitAsync("workers", cluster.Environment, cluster.DataPath, cluster.LogFolder);
        Assert.Equal(1, exit);
        Assert.Contains("Unknown command 'workers'", log, StringComparison.Ordinal);
    }
}
