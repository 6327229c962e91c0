using System.Net;

namespace Pingvas.Bench;

/// <summary>
/// POST /api/v1/generations throughput and latency, API alone (no workers, so the queue grows by
/// every accepted submit). Per concurrency: two baselines (the bare HTTP pipeline, and an
/// authenticated one-query read), then the submits. Each concurrency starts from an empty queue.
/// </summary>
public static class SubmitBench
{
    public static async Task<List<Measurement>> RunAsync(Args args)
    {
        var admin = args.Get("admin", Program.DefaultAdmin);
        var userCount = args.Int("users", 200);
        var concurrencies = args.Ints("concurrency", "32,8");
        var count = args.Int("count", 20_000);
        var seconds = args.Double("seconds", 20);
        var baselineSeconds = args.Double("baseline-seconds", 3);
        var serialSeconds = args.Double("serial-seconds", 10);
        var plan = args.Get("plan", "studio");
        var results = new List<Measurement>();

        await using var server = await BenchServer.StartAsync(admin, args.Int("pool", 40), new Dictionary<string, string>(), role: args.Get("role", BenchServer.ApiRole));
        Program.Log($"submit: `pingvas {server.Role}` at {server.BaseAddress}; pg_stat_statements {(await server.Meter.StatStatementsAvailableAsync() ? "available" : "not available (not preloaded): using pg_stat_database and a client-side EF interceptor")}; DbContext interceptors: {string.Join(", ", server.Interceptors)}");
        var users = await server.CreateUsersAsync(userCount, _ => plan);
        Program.Log($"submit: {users.Count} users on plan {plan}, credits granted");
        using var client = server.CreateClient(concurrencies.Max());

        // Warm-up: JIT/tiering, connection pools, EF query caches. Not recorded.
        await LoadGenerator.ClosedAsync(client, concurrencies.Max(), long.MaxValue, TimeSpan.FromSeconds(2), HttpStatusCode.OK, _ => Requests.Live());
        await LoadGenerator.ClosedAsync(client, concurrencies.Max(), long.MaxValue, TimeSpan.FromSeconds(2), HttpStatusCode.NotFound, i => Requests.MissingGeneration(users[(int)(i % users.Count)]));
        await LoadGenerator.ClosedAsync(client, concurrencies.Max(), long.MaxValue, TimeSpan.FromSeconds(3), HttpStatusCode.Accepted, i => Requests.Submit(users[(int)(i % users.Count)]));

        foreach (var c in concurrencies)
        {
            await EmptyQueueAsync(server);
            results.Add(await PhaseAsync(server, "health", c, null, await LoadGenerator.Measure(server, () =>
                LoadGenerator.ClosedAsync(client, c, long.MaxValue, TimeSpan.FromSeconds(baselineSeconds), HttpStatusCode.OK, _ => Requests.Live())),
                "GET /health/live: no auth, no database"));
            results.Add(await PhaseAsync(server, "auth-get", c, null, await LoadGenerator.Measure(server, () =>
                LoadGenerator.ClosedAsync(client, c, long.MaxValue, TimeSpan.FromSeconds(baselineSeconds), HttpStatusCode.NotFound, i => Requests.MissingGeneration(users[(int)(i % users.Count)]))),
                "GET /generations/{unknown id} → 404: JWT + account lookup + one query"));
            var submit = await LoadGenerator.Measure(server, () =>
                LoadGenerator.ClosedAsync(client, c, count, TimeSpan.FromSeconds(c == 1 ? serialSeconds : seconds), HttpStatusCode.Accepted, i => Requests.Submit(users[(int)(i % users.Count)])));
            var queued = await server.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status = 'queued'");
            results.Add(await PhaseAsync(server, "submit", c, queued, submit,
                $"POST /generations on `pingvas {server.Role}`, {users.Count} users on {plan}, no workers: the queue grows from 0 to {queued}"));
        }

        return results;
    }

    /// <summary>Cancels every queued job (and frees its hold) so the next phase starts on an empty queue.</summary>
    private static async Task EmptyQueueAsync(BenchServer server)
    {
        await server.ExecuteAsync("UPDATE lot_holds SET settled = true WHERE NOT settled AND job_id IN (SELECT id FROM jobs WHERE status = 'queued')");
        await server.ExecuteAsync("UPDATE jobs SET status = 'cancelled', finished_at = now() WHERE status = 'queued'");
        // Behind the lifecycle's back, so its derived state goes too: no job is queued, so no pair has a head.
        await server.ExecuteAsync("DELETE FROM queue_heads");
    }

    private static Task<Measurement> PhaseAsync(BenchServer server, string bench, int concurrency, long? queueDepthEnd, Measured measured, string note)
    {
        var load = measured.Load;
        var extra = ResourceSample.Costs(measured.Before, measured.After, measured.Db, load.Successes);
        var windows = load.Windows(2000);
        if (windows.Count > 1)
        {
            extra["throughputFirst2s"] = windows[0];
            extra["throughputLast2s"] = windows[^1];
        }

        if (queueDepthEnd is { } depth)
        {
            extra["queueDepthEnd"] = depth;
        }

        Program.Log($"{bench} c={concurrency}: {load.Throughput:0} /s, {LatencySummary.Of(load.LatenciesMs)}, errors {load.Errors}, db {extra["dbMsPerJob"]} ms/op" +
            (windows.Count > 1 ? $", per 2 s: {string.Join(" ", windows)}" : ""));
        return Task.FromResult(new Measurement
        {
            System = "pingvas",
            Bench = bench,
            Concurrency = concurrency,
            Count = load.Count,
            Errors = load.Errors,
            Seconds = Math.Round(load.Seconds, 3),
            Throughput = Math.Round(load.Throughput, 1),
            Latency = LatencySummary.Of(load.LatenciesMs),
            Statuses = load.Statuses,
            Extra = extra,
            Note = note,
        });
    }
}

/// <summary>A load phase with the resource samples and database time around it.</summary>
public sealed record Measured(LoadResult Load, ResourceSample Before, ResourceSample After, DbTimes Db);
