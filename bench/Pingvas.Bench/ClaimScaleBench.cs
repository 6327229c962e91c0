using System.Diagnostics;

using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Data;
using Pingvas.Server.Jobs;
using Pingvas.Server.Queue;

namespace Pingvas.Bench;

/// <summary>
/// Claim latency against the size of the queue (issue 8, item 5): for each number of waiting users
/// (10, 1,000, 10,000 by default) a fresh database with that many users and 100,000 queued jobs
/// over three models and the five plans, written straight in SQL; then one worker claims through
/// <see cref="JobLifecycle.ClaimAsync"/> (model-aware, with a loaded model), each claimed job is
/// marked finished outside the timing, and the claim's round trip is timed. Bounded by --claims.
/// </summary>
public static class ClaimScaleBench
{
    private static readonly string[] Models = ["sd-1.5", "sdxl-1.0", "flux-dev"];

    public static async Task<List<Measurement>> RunAsync(Args args)
    {
        var admin = args.Get("admin", Program.DefaultAdmin);
        var userCounts = args.Ints("users", "10,1000,10000");
        var jobs = args.Int("jobs", 100_000);
        var claims = args.Int("claims", 500);
        var results = new List<Measurement>();
        foreach (var users in userCounts)
        {
            await using var server = await BenchServer.StartAsync(admin, 8, new Dictionary<string, string>());
            await SeedAsync(server, users, jobs);
            await using (var scope = server.Services.CreateSystemScope())
            {
                var heads = await scope.ServiceProvider.GetRequiredService<QueueHeads>().RebuildAsync(DateTime.UtcNow, CancellationToken.None);
                Program.Log($"claim-scale: {users} users, {jobs} queued jobs, {heads} queue heads");
            }

            var latencies = new List<double>();
            var loaded = (string?)null;
            var rng = new Random(users);
            for (var i = 0; i < claims + 50; i++)
            {
                await using var scope = server.Services.CreateSystemScope();
                var worker = new WorkerProfile("bench-scale:1", "a10g", Models, loaded);
                var started = Stopwatch.GetTimestamp();
                var job = await scope.ServiceProvider.GetRequiredService<JobLifecycle>().ClaimAsync(worker, CancellationToken.None);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (job is null)
                {
                    throw new InvalidOperationException("The queue ran dry; raise --jobs.");
                }

                if (i >= 50)
                {
                    latencies.Add(elapsed);
                }

                // A model switch now and then, as a worker serving a mixed queue would.
                loaded = rng.Next(10) == 0 ? Models[rng.Next(Models.Length)] : job.ModelId;
                await server.ExecuteAsync("UPDATE jobs SET status = 'succeeded', finished_at = now() WHERE id = @id", ("id", job.Id));
                await server.ExecuteAsync("UPDATE queue_heads SET blocked = false WHERE user_id = @user AND blocked", ("user", job.UserId));
            }

            var summary = LatencySummary.Of(latencies);
            Program.Log($"claim-scale {users} users: p50 {summary!.P50} ms, p99 {summary.P99} ms, max {summary.Max} ms over {latencies.Count} claims");
            results.Add(new Measurement
            {
                System = "pingvas",
                Bench = "claim-scale",
                Workers = 1,
                Count = latencies.Count,
                Seconds = latencies.Sum() / 1000,
                Throughput = latencies.Count / (latencies.Sum() / 1000),
                Latency = summary,
                Extra = new Dictionary<string, double> { ["users"] = users, ["queued"] = jobs },
                Note = $"JobLifecycle.ClaimAsync, one worker serving {Models.Length} models, {users} waiting users, {jobs} queued jobs",
            });
        }

        return results;
    }

    /// <summary>Users over the five plans (a third never served) and jobs spread over users, models and the past hour.</summary>
    private static async Task SeedAsync(BenchServer server, int users, int jobs)
    {
        await server.ExecuteAsync("""
            INSERT INTO users (id, email, name, password_hash, role, plan_id, period_start, period_end, last_served_at, created_at)
            SELECT gen_random_uuid(), 'scale-' || g || '@example.com', 'Scale ' || g, 'not-a-hash', 'user',
                   (ARRAY['free', 'starter', 'pro', 'studio', 'enterprise'])[1 + g % 5],
                   now() - interval '1 day', now() + interval '29 days',
                   CASE WHEN g % 3 = 0 THEN NULL ELSE now() - (g % 3600) * interval '1 second' END, now() - interval '1 day'
            FROM generate_series(1, @users) AS g
            """, ("users", users));
        await server.ExecuteAsync("""
            INSERT INTO jobs (id, user_id, status, prompt, model_id, width, height, steps, cfg_scale, scheduler, seed, batch_size,
                              priority, reserved_credits, progress_step, progress_total, attempt, cancel_requested, created_at)
            SELECT gen_random_uuid(), u.id, 'queued', 'a lighthouse at dusk', (ARRAY['sd-1.5', 'sdxl-1.0', 'flux-dev'])[1 + (g * 7) % 3],
                   512, 512, 20, 7, 'euler', g, 1, p.queue_priority, 0, 0, 20, 0, false, now() - (g % 3600) * interval '1 second'
            FROM generate_series(0, @jobs - 1) AS g
            JOIN (SELECT id, plan_id, row_number() OVER (ORDER BY email) - 1 AS n FROM users) u ON u.n = g % @users
            JOIN plans p ON p.id = u.plan_id
            """, ("jobs", jobs), ("users", users));
        await server.ScalarAsync<long>("ANALYZE");
    }
}
