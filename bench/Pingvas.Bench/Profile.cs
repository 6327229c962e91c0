using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

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
/// Where the time of one operation goes, measured one at a time (nothing in flight but it, so no
/// queueing inflates the numbers): wall time, client-side database time, and every SQL statement
/// Npgsql sends (its tracing ActivitySource sees the row-level-security set_config calls too),
/// averaged over K operations. For a submit on an empty and on a deep queue, a claim, and a job
/// through the full runner.
/// </summary>
public static partial class Profile
{
    public static async Task<string> RunAsync(Args args)
    {
        var admin = args.Get("admin", Program.DefaultAdmin);
        var k = args.Int("ops", 100);
        var depth = args.Int("depth", 2000);
        await using var server = await BenchServer.StartAsync(admin, 10, new Dictionary<string, string>(), services =>
        {
            services.RemoveAll<IImageEngine>();
            services.AddSingleton<IImageEngine, ZeroEngine>();
        });
        var users = await server.CreateUsersAsync(10, i => i < 5 ? "studio" : "pro");
        var owners = users.Take(5).ToList();
        using var client = server.CreateClient(16);
        using var recorder = new StatementRecorder();

        // Warm-up (JIT, caches), then an empty queue.
        await LoadGenerator.ClosedAsync(client, 1, 200, TimeSpan.FromMinutes(1), HttpStatusCode.Accepted, i => Requests.Submit(owners[(int)(i % owners.Count)]));
        await ClaimAllAsync(server);

        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Each operation alone ({k} in a row, one at a time); the statements Npgsql sent per operation, grouped by text.");
        md.AppendLine();

        md.Append(await OneAsync(server, recorder, $"submit, queue empty → {k}", k, () =>
            LoadGenerator.ClosedAsync(client, 1, k, TimeSpan.FromMinutes(2), HttpStatusCode.Accepted, i => Requests.Submit(owners[(int)(i % owners.Count)]))));
        await ClaimAllAsync(server);

        // A deep queue of other users' jobs (the other five users), submitted through the API.
        var others = users.Skip(5).ToList();
        await LoadGenerator.ClosedAsync(client, 16, depth, TimeSpan.FromMinutes(3), HttpStatusCode.Accepted, i => Requests.Submit(others[(int)(i % others.Count)]));
        md.Append(await OneAsync(server, recorder, $"submit, {depth} jobs of other users queued", k, () =>
            LoadGenerator.ClosedAsync(client, 1, k, TimeSpan.FromMinutes(2), HttpStatusCode.Accepted, i => Requests.Submit(owners[(int)(i % owners.Count)]))));

        md.Append(await OneAsync(server, recorder, $"claim only (JobLifecycle.ClaimAsync + UPDATE to succeeded), {depth}+ queued", k, async () =>
        {
            var result = new LoadResult();
            var start = Clock.Now;
            for (var i = 0; i < k; i++)
            {
                var t = Clock.Now;
                await using var scope = server.Services.CreateSystemScope();
                var job = await scope.ServiceProvider.GetRequiredService<JobLifecycle>().ClaimAsync(ClaimBench.Profile("bench-profile"), CancellationToken.None)
                    ?? throw new InvalidOperationException("Nothing to claim.");
                await ClaimBench.MarkSucceededAsync(scope.ServiceProvider, job, "bench-profile", CancellationToken.None);
                result.LatenciesMs.Add(Clock.Ms(t, Clock.Now));
                result.CompletedAtMs.Add(Clock.Ms(start, Clock.Now));
            }

            result.Seconds = Clock.Ms(start, Clock.Now) / 1000;
            return result;
        }));

        md.Append(await OneAsync(server, recorder, $"one job through the WorkerPool (1 worker, zero-time engine): claim, image store, settle; {depth}− queued", k, async () =>
        {
            var result = new LoadResult();
            var before = await server.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status = 'succeeded'");
            var pool = ActivatorUtilities.CreateInstance<WorkerPool>(server.Services, Options.Create(new WorkerOptions { Concurrency = 1 }));
            var start = Clock.Now;
            await pool.StartAsync(CancellationToken.None);
            while (await server.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status = 'succeeded'") - before < k)
            {
                await Task.Delay(10);
            }

            result.Seconds = Clock.Ms(start, Clock.Now) / 1000;
            await pool.StopAsync(CancellationToken.None);
            pool.Dispose();
            for (var i = 0; i < k; i++)
            {
                result.LatenciesMs.Add(result.Seconds * 1000 / k);
                result.CompletedAtMs.Add(0);
            }

            return result;
        }, countPolls: false));
        return md.ToString();
    }

    private static async Task ClaimAllAsync(BenchServer server)
    {
        await server.ExecuteAsync("UPDATE jobs SET status = 'cancelled', finished_at = now() WHERE status = 'queued'");
        // Behind the lifecycle's back, so its derived state goes too: no job is queued, so no pair has a head.
        await server.ExecuteAsync("DELETE FROM queue_heads");
    }

    private static async Task<string> OneAsync(BenchServer server, StatementRecorder recorder, string title, int k, Func<Task<LoadResult>> run, bool countPolls = true)
    {
        var db = server.Timer.Snapshot();
        recorder.Start();
        var load = await run();
        var statements = recorder.Stop();
        var dbTimes = server.Timer.Snapshot() - db;
        if (!countPolls)
        {
            // The drain loop's own polling (count of succeeded jobs) is not part of a job.
            statements = statements.Where(s => !s.Sql.Contains("count(*) FROM jobs WHERE status = 'succeeded'", StringComparison.Ordinal)).ToList();
        }

        var md = new StringBuilder();
        var latency = LatencySummary.Of(load.LatenciesMs);
        var sqlMs = statements.Sum(s => s.Ms) / k;
        md.AppendLine(CultureInfo.InvariantCulture, $"#### {title}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"Wall time per operation: mean {latency?.Mean:0.00} ms (p50 {latency?.P50:0.00}, p99 {latency?.P99:0.00}); {statements.Count / (double)k:0.0} statements per operation, " +
            $"{sqlMs:0.00} ms in them (Npgsql, send → last row); EF-measured database time {dbTimes.TotalMs / k:0.00} ms including {dbTimes.CommitMs / k:0.00} ms of COMMIT.");
        md.AppendLine();
        md.AppendLine("| per op | mean ms | statement |");
        md.AppendLine("|---|---|---|");
        foreach (var group in statements.GroupBy(s => s.Sql).OrderByDescending(g => g.Sum(s => s.Ms)))
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {group.Count() / (double)k:0.##} | {group.Average(s => s.Ms):0.000} | `{group.Key}` |");
        }

        md.AppendLine();
        Program.Log($"profile: {title}: {latency?.Mean:0.00} ms/op, {statements.Count / (double)k:0.0} statements, {sqlMs:0.00} ms SQL");
        return md.ToString();
    }

    private sealed record Statement(string Sql, double Ms);

    /// <summary>Every command Npgsql runs while started, from its tracing ActivitySource.</summary>
    private sealed partial class StatementRecorder : IDisposable
    {
        private readonly ActivityListener listener;
        private ConcurrentQueue<Statement>? recording;

        public StatementRecorder()
        {
            listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "Npgsql",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => recording is null ? ActivitySamplingResult.None : ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    if (recording is { } into && activity.GetTagItem("db.query.text") is string sql)
                    {
                        into.Enqueue(new Statement(Normalize(sql), activity.Duration.TotalMilliseconds));
                    }
                },
            };
            ActivitySource.AddActivityListener(listener);
        }

        public void Start() => recording = new ConcurrentQueue<Statement>();

        public List<Statement> Stop()
        {
            var done = recording?.ToList() ?? [];
            recording = null;
            return done;
        }

        public void Dispose() => listener.Dispose();

        private static string Normalize(string sql)
        {
            var flat = Whitespace().Replace(sql, " ").Trim().Replace("|", "\\|", StringComparison.Ordinal);
            return flat.Length > 160 ? flat[..157] + "..." : flat;
        }

        [GeneratedRegex(@"\s+")]
        private static partial Regex Whitespace();
    }
}
