using System.Diagnostics;
using System.Net;
using System.Text;

using Npgsql;

using Pingvas.Server.Tests.Infrastructure;

using Xunit.Abstractions;

namespace Pingvas.Server.Tests;

/// <summary>
/// API and worker roles as separate OS processes on one PostgreSQL database: progress, wake-ups
/// and cancels travel between them by LISTEN/NOTIFY. Runs on PostgreSQL in both passes of the suite.
/// </summary>
[Collection(ProcessTests.Collection)]
public sealed class ProcessEventsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_client_on_one_api_sees_queued_steps_and_success_of_a_job_submitted_on_another_and_run_by_a_worker()
    {
        await using var cluster = await PingvasCluster.StartAsync(apis: 2, workers: 2);
        var (api1, api2) = (cluster.Apis[0], cluster.Apis[1]);
        var user = await cluster.RegisterAsync(api1);
        await using var client = await NodeSignalRClient.ConnectAsync(api2.BaseAddress, user.AccessToken, new NodeSignalROptions { Seconds = 60 });

        var job = await user.SubmitAsync(api1, TestUser.Request(steps: 12, seed: 11));
        await client.ExitAfterAsync(job.Id);
        Assert.True(await client.WaitForExitAsync(ProcessTests.Bounded) == 0, client.Describe() + cluster.Describe());

        var events = client.Generations;
        var order = string.Join(" > ", events.Select(e => $"{e.Status}#{e.Progress.Step}"));
        Assert.All(events, e => Assert.Equal(job.Id, e.Id));
        Assert.True(events[0].Status == "queued", order);
        Assert.Equal(100 - job.ReservedCredits, events[0].Balance);
        Assert.True(events[^1].Status == "succeeded", order);
        Assert.Single(events, e => e.Status == "queued");
        Assert.Single(events, e => e.Status == "succeeded");
        var running = events.Skip(1).SkipLast(1).ToList();
        Assert.All(running, e => Assert.Equal("running", e.Status));
        Assert.Equal(Enumerable.Range(0, 13), running.Select(e => e.Progress.Step));
        Assert.All(running.Where(e => e.Progress.Step > 0), e => Assert.StartsWith("data:image/webp;base64,", e.Preview));

        // The success names the image the worker stored; any API instance serves it.
        var succeeded = events[^1];
        var image = Assert.Single(succeeded.Images);
        using var anonymous = api2.CreateClient();
        Assert.Equal(ApiChecks.PngSignature, (await anonymous.GetByteArrayAsync(image.Url))[..8]);
        var me = await user.MeAsync(api2);
        Assert.Equal(me.Credits.Balance, succeeded.Balance);
        Assert.Equal(100 - succeeded.CreditsCharged, me.Credits.Balance);

        // It ran on one of the worker processes, not in an API.
        var workerPid = await ProcessTests.WorkerPidAsync(cluster, job.Id);
        Assert.Contains(workerPid, cluster.Workers.Select(w => w.Pid));
    }

    [Fact]
    public async Task A_cancel_on_the_api_stops_the_job_on_its_worker_at_once_and_charges_the_seconds_used()
    {
        // A two-minute lease: the heartbeat, which also reads the cancel flag, comes every 40 s,
        // so a stop within seconds can only be the NOTIFY.
        await using var cluster = await PingvasCluster.StartAsync(apis: 1, workers: 1, new TestSettings { LeaseSeconds = 120 });
        var api = cluster.Apis[0];
        var user = await cluster.RegisterAsync(api);
        var job = await user.SubmitAsync(api, TestUser.Request(steps: 150, seed: 12));
        await user.WaitForAsync(api, job.Id, g => g.Status == "running" && g.Progress.Step >= 5, ProcessTests.Bounded, cluster.Describe);

        var clock = Stopwatch.StartNew();
        var response = await user.CancelAsync(api, job.Id);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cancelled = await user.WaitForTerminalAsync(api, job.Id, TimeSpan.FromSeconds(15), cluster.Describe);
        clock.Stop();

        Assert.Equal("cancelled", cancelled.Status);
        output.WriteLine($"cancelled {clock.Elapsed.TotalMilliseconds:0} ms after the request, at step {cancelled.Progress.Step}");
        // About a second on an idle machine (the NOTIFY, one step of the engine, the settlement, a poll); generous for a loaded one.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the job stopped {clock.Elapsed.TotalSeconds:0.00} s after the cancel");
        Assert.True(cancelled.Progress.Step < 150, $"it ran to step {cancelled.Progress.Step}");
        Assert.Empty(cancelled.Images);
        Assert.NotNull(cancelled.GpuSeconds);
        Assert.Equal(Math.Max(1, (int)Math.Ceiling(cancelled.GpuSeconds!.Value)), cancelled.CreditsCharged);
        await ProcessTests.AssertChargedOnceAsync(user, api, cancelled);
    }

    [Fact]
    public async Task A_dropped_listening_connection_reports_degraded_readiness_then_reconnects_and_events_flow_again()
    {
        await using var cluster = await PingvasCluster.StartAsync(apis: 0, workers: 1);
        var api = await cluster.StartProcessAsync("api", new TestSettings().With("Events:ReconnectMinMilliseconds", "3000"));
        var user = await cluster.RegisterAsync(api);

        // What a network cut or a server restart does to the listener: its backend goes away.
        await using (var admin = new NpgsqlConnection(cluster.ConnectionString))
        {
            await admin.OpenAsync();
            await using var terminate = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = @name", admin);
            terminate.Parameters.AddWithValue("name", $"pingvas api {api.Pid} listen");
            Assert.Equal(1L, await terminate.ExecuteScalarAsync());
        }

        // Degraded, not dead: still 200, still serving.
        await api.WaitForReadinessAsync("Degraded", TimeSpan.FromSeconds(10));
        using (var http = api.CreateClient(user.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/me")).StatusCode);
        }
        await api.WaitForReadinessAsync("Healthy", TimeSpan.FromSeconds(30));

        await using var client = await NodeSignalRClient.ConnectAsync(api.BaseAddress, user.AccessToken, new NodeSignalROptions { Seconds = 60 });
        var job = await user.SubmitAsync(api, TestUser.Request(steps: 4, seed: 13));
        await client.ExitAfterAsync(job.Id);
        Assert.True(await client.WaitForExitAsync(ProcessTests.Bounded) == 0, client.Describe() + cluster.Describe());
        Assert.Equal(["queued", "succeeded"], new[] { client.Generations[0].Status, client.Generations[^1].Status });
        Assert.Contains("reconnecting", api.ReadLog(), StringComparison.Ordinal);
    }
}

/// <summary>
/// The process tests run one at a time and after the rest of the suite, not beside it: each
/// starts several servers, whose start-up would otherwise compete with other tests for the CPU.
/// </summary>
[CollectionDefinition(ProcessTests.Collection, DisableParallelization = true)]
public sealed class ProcessTestsCollection;

/// <summary>What the process tests share: their collection, bounds and checks.</summary>
public static class ProcessTests
{
    public const string Collection = "Separate processes";

    public static readonly TimeSpan Bounded = TimeSpan.FromSeconds(60);

    /// <summary>The pid in the job's worker id (<c>host:pid:instance:loop</c>): which process ran it last.</summary>
    public static async Task<int> WorkerPidAsync(PingvasCluster cluster, Guid jobId)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        // Another user's job, read from outside the app: system context, or row-level security hides it.
        await using (var system = new NpgsqlCommand("SELECT set_config('pingvas.user_id', 'system', false)", connection))
        {
            await system.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand("SELECT worker_id FROM jobs WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", jobId);
        var workerId = await command.ExecuteScalarAsync() as string ?? throw new InvalidOperationException($"Job {jobId} has no worker.");
        return int.Parse(workerId.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>One reserve and one charge for the job, nothing held, and the balance equal to the ledger's sum.</summary>
    public static async Task AssertChargedOnceAsync(ClusterUser user, PingvasProcess api, GenerationBody job)
    {
        var ledger = await user.LedgerAsync(api);
        var entries = new StringBuilder().AppendJoin('\n', ledger.Select(e => $"{e.Kind} {e.Amount} {e.JobId}")).ToString();
        Assert.True(ledger.Count(e => e.Kind == "reserve" && e.JobId == job.Id) == 1, entries);
        var charge = Assert.Single(ledger, e => e.Kind == "charge" && e.JobId == job.Id);
        Assert.Equal(-job.CreditsCharged, charge.Amount);
        var me = await user.MeAsync(api);
        Assert.Equal(0, me.Credits.Reserved);
        Assert.Equal(100 - job.CreditsCharged, me.Credits.Balance);
        Assert.Equal(me.Credits.Balance, ledger.Sum(e => e.Amount));
    }
}
