using System.Collections.Concurrent;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// Faults of the distributed topology, with real processes and kill -9: nothing is lost, nothing
/// is charged twice, and clients carry on through another instance.
/// </summary>
[Collection(ProcessTests.Collection)]
public sealed class ProcessFaultTests
{
    [Fact]
    public async Task A_worker_killed_mid_job_leaves_it_to_another_worker_after_the_lease_and_it_is_charged_once()
    {
        await using var cluster = await PingvasCluster.StartAsync(apis: 1, workers: 2, new TestSettings { LeaseSeconds = 3, RetryBackoffSeconds = 1 });
        var api = cluster.Apis[0];
        var user = await cluster.RegisterAsync(api);
        var job = await user.SubmitAsync(api, TestUser.Request(steps: 60, seed: 21));
        await user.WaitForAsync(api, job.Id, g => g.Status == "running" && g.Progress.Step >= 5, ProcessTests.Bounded, cluster.Describe);

        var firstPid = await ProcessTests.WorkerPidAsync(cluster, job.Id);
        var victim = Assert.Single(cluster.Workers, w => w.Pid == firstPid);
        var survivor = Assert.Single(cluster.Workers, w => w.Pid != firstPid);
        await victim.KillAsync();
        Assert.True(victim.HasExited);

        var done = await user.WaitForTerminalAsync(api, job.Id, ProcessTests.Bounded, cluster.Describe);
        Assert.True(done.Status == "succeeded", $"{done.Status}: {done.Error?.Message}\n{cluster.Describe()}");
        Assert.Equal(survivor.Pid, await ProcessTests.WorkerPidAsync(cluster, job.Id));
        Assert.Single(done.Images);
        await using (var db = cluster.OpenDb())
        {
            Assert.Equal(2, db.Jobs.Where(j => j.Id == job.Id).Select(j => j.Attempt).Single());
        }

        await ProcessTests.AssertChargedOnceAsync(user, api, done);
    }

    [Fact]
    public async Task An_api_killed_while_its_client_watches_leaves_the_client_to_reconnect_to_another_and_see_the_rest()
    {
        await using var cluster = await PingvasCluster.StartAsync(apis: 2, workers: 1);
        var (api1, api2) = (cluster.Apis[0], cluster.Apis[1]);
        var user = await cluster.RegisterAsync(api1);
        await using var watching = await NodeSignalRClient.ConnectAsync(api2.BaseAddress, user.AccessToken, new NodeSignalROptions { Seconds = 60 });
        var job = await user.SubmitAsync(api1, TestUser.Request(steps: 80, seed: 22));
        await watching.WaitForEventAsync(e => e.Id == job.Id && e.Status == "running" && e.Progress.Step >= 5, ProcessTests.Bounded);

        // Polling the other instance all along: it answers throughout.
        using var stopPolling = new CancellationTokenSource();
        var polls = new ConcurrentBag<string>();
        var poller = Task.Run(async () =>
        {
            while (!stopPolling.IsCancellationRequested)
            {
                try
                {
                    polls.Add((await user.GetAsync(api1, job.Id)).Status);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    polls.Add("error: " + ex.Message);
                }

                await Task.Delay(100);
            }
        });

        await api2.KillAsync();
        Assert.Equal(3, await watching.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(watching.Lines, l => NodeSignalRClient.Kind(l) == "closed");
        var lastSeen = watching.Generations.Where(e => e.Id == job.Id).Max(e => e.Progress.Step);

        // The client comes back through the instance still standing.
        await using var reconnected = await NodeSignalRClient.ConnectAsync(api1.BaseAddress, user.AccessToken, new NodeSignalROptions { Seconds = 60 });
        await reconnected.ExitAfterAsync(job.Id);
        Assert.True(await reconnected.WaitForExitAsync(ProcessTests.Bounded) == 0, reconnected.Describe() + cluster.Describe());
        await stopPolling.CancelAsync();
        await poller;

        var rest = reconnected.Generations.Where(e => e.Id == job.Id).ToList();
        Assert.Equal("succeeded", rest[^1].Status);

        // First the state on connect (progress as last stored, at most half a second behind), then the live steps.
        var snapshot = rest[0];
        Assert.Equal("running", snapshot.Status);
        var running = rest.Skip(1).Where(e => e.Status == "running").ToList();
        Assert.True(running[0].Progress.Step >= snapshot.Progress.Step, $"live step {running[0].Progress.Step} after the snapshot's {snapshot.Progress.Step}");
        Assert.True(running.Count >= 5, $"the reconnected client saw {running.Count} running events");
        Assert.True(running[0].Progress.Step > lastSeen, $"step {running[0].Progress.Step} after {lastSeen}");
        Assert.Equal(running.Select(e => e.Progress.Step).Order(), running.Select(e => e.Progress.Step));
        Assert.Equal(80, running[^1].Progress.Step);

        Assert.DoesNotContain(polls, p => p.StartsWith("error", StringComparison.Ordinal));
        Assert.True(polls.Count >= 5, $"{polls.Count} polls");
        var final = await user.GetAsync(api1, job.Id);
        Assert.Equal("succeeded", final.Status);
        Assert.Equal(final.CreditsCharged, rest[^1].CreditsCharged);
        await ProcessTests.AssertChargedOnceAsync(user, api1, final);
    }
}
