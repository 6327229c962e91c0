using System.Net;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

using Pingvas.Engines;
using Pingvas.Server.Data;
using Pingvas.Server.Jobs;
using Pingvas.Server.Queue;

namespace Pingvas.Bench;

/// <summary>
/// The queue on a zero-time engine, with 1, 2, 4 and 8 workers:
/// <list type="bullet">
/// <item>drain-runner: M jobs pre-filled through the API, then the server's own WorkerPool (claim,
/// run the zero engine, store the 8×8 image, settle credits, events) drains them;</item>
/// <item>drain-claims: the same backlog drained by loops calling <see cref="JobLifecycle.ClaimAsync"/>
/// and marking each job succeeded directly — the queue alone, without the runner;</item>
/// <item>steady: the WorkerPool running while submits arrive at a fixed rate; enqueue → start
/// from the jobs table (created_at → started_at).</item>
/// </list>
/// Users are spread over the five plans, so the jobs carry the five priorities 2/4/6/8/10.
/// </summary>
public static class ClaimBench
{
    private static readonly string[] Plans = ["free", "starter", "pro", "studio", "enterprise"];

    public static async Task<List<Measurement>> RunAsync(Args args)
    {
        var admin = args.Get("admin", Program.DefaultAdmin);
        var userCount = args.Int("users", 50);
        var jobs = args.Int("jobs", 1000);
        var workerCounts = args.Ints("workers", "1,2,4,8");
        var rate = args.Double("rate", 10);
        var steadySeconds = args.Double("steady-seconds", 15);
        var limit = TimeSpan.FromSeconds(args.Double("drain-timeout", 120));
        var results = new List<Measurement>();

        await using var server = await BenchServer.StartAsync(admin, args.Int("pool", 40), new Dictionary<string, string>(), services =>
        {
            services.RemoveAll<IImageEngine>();
            services.AddSingleton<IImageEngine, ZeroEngine>();
        });
        var users = await server.CreateUsersAsync(userCount, i => Plans[i % Plans.Length]);
        Program.Log($"claim: server at {server.BaseAddress}; {users.Count} users over {string.Join("/", Plans)}");
        using var client = server.CreateClient(16);

        // Warm-up, not recorded: both drain paths once on a small backlog.
        await PrefillAsync(server, client, users, 100);
        await DrainRunnerAsync(server, 2, limit);
        await PrefillAsync(server, client, users, 100);
        await DrainClaimsAsync(server, 2, limit);

        foreach (var w in workerCounts)
        {
            var (prefill, since) = await PrefillAsync(server, client, users, jobs);
            results.Add(Submits("prefill", w, null, prefill, $"POST /generations c=16 while no worker runs: queue grows 0 → {jobs}"));
            results.Add(await DrainMeasurementAsync(server, "drain-runner", w, jobs, since, () => DrainRunnerAsync(server, w, limit),
                "WorkerPool with the zero-time engine: claim + image store + settlement per job"));

            (prefill, since) = await PrefillAsync(server, client, users, jobs);
            results.Add(await DrainMeasurementAsync(server, "drain-claims", w, jobs, since, () => DrainClaimsAsync(server, w, limit),
                "JobLifecycle.ClaimAsync + one UPDATE to succeeded per job; no runner"));
        }

        foreach (var w in workerCounts)
        {
            results.Add(await SteadyAsync(server, client, users, w, rate, steadySeconds, limit));
        }

        return results;
    }

    private static async Task<(LoadResult Load, DateTime Since)> PrefillAsync(BenchServer server, HttpClient client, IReadOnlyList<BenchUser> users, int jobs)
    {
        var since = DateTime.UtcNow;
        var load = await LoadGenerator.ClosedAsync(client, 16, jobs, TimeSpan.FromMinutes(5), HttpStatusCode.Accepted, i => Requests.Submit(users[(int)(i % users.Count)]));
        if (load.Errors > 0)
        {
            throw new InvalidOperationException($"Prefill: {load.Errors} submits failed: {string.Join(", ", load.Statuses.Select(s => $"{s.Key}×{s.Value}"))}");
        }

        return (load, since);
    }

    /// <summary>The server's own WorkerPool with <paramref name="workers"/> loops, until nothing is queued or running.</summary>
    private static async Task DrainRunnerAsync(BenchServer server, int workers, TimeSpan limit)
    {
        var pool = ActivatorUtilities.CreateInstance<WorkerPool>(server.Services, Options.Create(new WorkerOptions { Concurrency = workers }));
        await pool.StartAsync(CancellationToken.None);
        try
        {
            await WaitForEmptyQueueAsync(server, limit);
        }
        finally
        {
            await pool.StopAsync(CancellationToken.None);
            pool.Dispose();
        }
    }

    /// <summary>Claims only: each loop claims the next job in queue order and marks it succeeded.</summary>
    private static async Task DrainClaimsAsync(BenchServer server, int workers, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        await Task.WhenAll(Enumerable.Range(1, workers).Select(k => Task.Run(async () =>
        {
            var workerId = $"bench-claims:{k}";
            while (!timeout.IsCancellationRequested)
            {
                await using var scope = server.Services.CreateSystemScope();
                var job = await scope.ServiceProvider.GetRequiredService<JobLifecycle>().ClaimAsync(Profile(workerId), timeout.Token);
                var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
                if (job is null)
                {
                    // Nothing claimable: either the queue is empty, or every queued job's owner is at its running limit.
                    if (!await db.Jobs.AnyAsync(j => j.Status == JobStatus.Queued, timeout.Token))
                    {
                        return;
                    }

                    await Task.Delay(5, timeout.Token);
                    continue;
                }

                await MarkSucceededAsync(scope.ServiceProvider, job, workerId, timeout.Token);
            }
        })));
    }

    /// <summary>A claim profile for loops that claim directly: a cpu worker serving the default catalog models, nothing loaded.</summary>
    public static WorkerProfile Profile(string workerId) => new(workerId, "cpu", ["sd-1.5", "sdxl-1.0", "flux-schnell", "flux-dev"], null);

    /// <summary>
    /// What a worker does with a claimed job in the claims-only drain: one status-guarded UPDATE, and
    /// the owner's free slot as the lifecycle records it (QueueHeads.UnblockAsync, one statement).
    /// </summary>
    public static async Task MarkSucceededAsync(IServiceProvider scoped, Job job, string workerId, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var db = scoped.GetRequiredService<PingvasDb>();
        await db.Jobs.Where(j => j.Id == job.Id && j.WorkerId == workerId && j.Status == JobStatus.Running)
            .ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Succeeded)
                .SetProperty(j => j.FinishedAt, now)
                .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null), ct);
        await scoped.GetRequiredService<QueueHeads>().UnblockAsync(job.UserId, ct);
    }

    private static async Task WaitForEmptyQueueAsync(BenchServer server, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (await server.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')") > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The queue did not drain within {limit.TotalSeconds} s.");
            }

            await Task.Delay(100);
        }
    }

    private static async Task<Measurement> DrainMeasurementAsync(BenchServer server, string bench, int workers, int jobs, DateTime since, Func<Task> drain, string note)
    {
        var before = await server.Meter.SampleAsync();
        var db = server.Timer.Snapshot();
        var start = DateTime.UtcNow;
        await drain();
        var dbTimes = server.Timer.Snapshot() - db;
        var after = await server.Meter.SampleAsync(after: true);

        var last = await server.ScalarAsync<DateTime>("SELECT max(finished_at) FROM jobs WHERE created_at >= @since", ("since", since));
        var succeeded = await server.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE created_at >= @since AND status = 'succeeded'", ("since", since));
        var seconds = (last - start).TotalSeconds;
        var startLatency = LatencySummary.Of(await server.StartLatenciesAsync(since));
        var extra = ResourceSample.Costs(before, after, dbTimes, succeeded);
        Program.Log($"{bench} w={workers}: {succeeded / seconds:0} jobs/s over {seconds:0.00} s, db {extra["dbMsPerJob"]} ms/job ({extra["dbCommandsPerJob"]} commands), backlog wait {startLatency}");
        return new Measurement
        {
            System = "pingvas",
            Bench = bench,
            Workers = workers,
            Count = jobs,
            Errors = jobs - succeeded,
            Seconds = Math.Round(seconds, 3),
            Throughput = Math.Round(succeeded / seconds, 1),
            StartLatency = startLatency,
            Extra = extra,
            Note = note + $"; {jobs} jobs pre-filled, so enqueue→start here is mostly time waiting behind the backlog",
        };
    }

    private static async Task<Measurement> SteadyAsync(BenchServer server, HttpClient client, IReadOnlyList<BenchUser> users, int workers, double rate, double seconds, TimeSpan limit)
    {
        var pool = ActivatorUtilities.CreateInstance<WorkerPool>(server.Services, Options.Create(new WorkerOptions { Concurrency = workers }));
        await pool.StartAsync(CancellationToken.None);
        try
        {
            await Task.Delay(500); // the loops are idle, waiting for a wake-up
            var before = await server.Meter.SampleAsync();
            var db = server.Timer.Snapshot();
            var since = DateTime.UtcNow;
            var load = await LoadGenerator.OpenAsync(client, rate, TimeSpan.FromSeconds(seconds), HttpStatusCode.Accepted, i => Requests.Submit(users[(int)(i % users.Count)]));
            await WaitForEmptyQueueAsync(server, limit);
            var dbTimes = server.Timer.Snapshot() - db;
            var after = await server.Meter.SampleAsync(after: true);
            var startLatencies = await server.StartLatenciesAsync(since);
            var summary = LatencySummary.Of(startLatencies);
            var extra = ResourceSample.Costs(before, after, dbTimes, load.Successes);
            Program.Log($"steady w={workers} at {rate}/s: enqueue→start {summary}; submit {LatencySummary.Of(load.LatenciesMs)}");
            return new Measurement
            {
                System = "pingvas",
                Bench = "steady",
                Workers = workers,
                Rate = rate,
                Count = load.Count,
                Errors = load.Errors,
                Seconds = Math.Round(load.Seconds, 3),
                Throughput = Math.Round(load.Throughput, 1),
                Latency = LatencySummary.Of(load.LatenciesMs),
                StartLatency = summary,
                Statuses = load.Statuses,
                Extra = extra,
                Note = $"submits at {rate}/s for {seconds} s while {workers} worker(s) run the zero-time engine; Queue__PollMilliseconds default (1000), workers woken by the submit signal",
            };
        }
        finally
        {
            await pool.StopAsync(CancellationToken.None);
            pool.Dispose();
        }
    }

    private static Measurement Submits(string bench, int workers, double? rate, LoadResult load, string note) => new()
    {
        System = "pingvas",
        Bench = bench,
        Workers = workers,
        Concurrency = rate is null ? 16 : null,
        Rate = rate,
        Count = load.Count,
        Errors = load.Errors,
        Seconds = Math.Round(load.Seconds, 3),
        Throughput = Math.Round(load.Throughput, 1),
        Latency = LatencySummary.Of(load.LatenciesMs),
        Statuses = load.Statuses,
        Note = note,
    };
}
