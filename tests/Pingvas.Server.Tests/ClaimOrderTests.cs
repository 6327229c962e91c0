using System.Collections.Concurrent;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

using Pingvas.Core.Scheduling;
using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Generation;
using Pingvas.Server.Jobs;
using Pingvas.Server.Queue;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// <see cref="JobClaimer.ClaimNextAsync"/> against the pure rules of <see cref="QueueOrder"/>, on
/// the provider under test (PostgreSQL claims in one SQL statement, SQLite in C#). The servers run
/// no workers and a frozen clock, so every claim here is the test's own and "now" is exact.
/// </summary>
public sealed partial class ClaimOrderTests
{
    private const double AgingSeconds = 90;
    private const double AffinitySeconds = 10;
    // Long, so that many heads are fresh enough to be left to a faster worker.
    private const double FasterGraceSeconds = 600;
    private static readonly string[] PlanIds = ["free", "starter", "pro", "studio", "enterprise"];
    private static readonly string[] AllModels = ["sd-1.5", "sdxl-1.0", "flux-dev"];

    [Fact]
    public async Task Each_claim_takes_the_job_the_queue_rules_put_first()
    {
        var clock = new FrozenClock();
        await using var server = await StartAsync(clock);
        var rng = new Random(6101);
        var users = await SeedUsersAsync(server, rng, 24, clock.Now);
        var plans = await server.QueryAsync(db => db.Plans.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.ConcurrentJobs));
        var jobs = new List<Job>();
        for (var i = 0; i < 320; i++)
        {
            // Whole seconds over 15 minutes: many exact aging boundaries and some created_at ties (then the id decides).
            var created = clock.Now.AddSeconds(-rng.Next(0, 900));
            var job = NewJob(rng, users[rng.Next(users.Count)].Id, rng.Next(2, 11), created, AllModels[rng.Next(AllModels.Length)]);
            job.AvailableAt = rng.Next(10) switch
            {
                0 => clock.Now.AddSeconds(rng.Next(30, 400)), // backing off: blocks its owner while it is the head
                1 => clock.Now.AddSeconds(-rng.Next(1, 60)), // backoff over
                _ => null,
            };
            jobs.Add(job);
        }

        // Running jobs up to (or one below) the limit for a third of the limited users.
        foreach (var user in users.Where((u, i) => i % 3 == 0 && plans[u.PlanId] is not null))
        {
            for (var k = 0; k < plans[user.PlanId]!.Value - (rng.Next(2) == 0 ? 0 : 1); k++)
            {
                var running = NewJob(rng, user.Id, 5, clock.Now.AddMinutes(-30));
                (running.Status, running.Attempt, running.WorkerId, running.StartedAt, running.LeaseExpiresAt) =
                    (JobStatus.Running, 1, "elsewhere:1", clock.Now.AddMinutes(-1), clock.Now.AddHours(1));
                jobs.Add(running);
            }
        }

        await server.QueryAsync(db => { db.Jobs.AddRange(jobs); return db.SaveChangesAsync(); });
        await RebuildHeadsAsync(server, clock.Now);
        var aging = new AgingPolicy(AgingSeconds);
        var rules = new ClaimRules(aging, TimeSpan.FromSeconds(AffinitySeconds), TimeSpan.FromSeconds(FasterGraceSeconds));
        int claims = 0, aged = 0, backingOff = 0, atLimit = 0, idle = 0, byAffinity = 0, byPressure = 0, narrowed = 0, deferred = 0;
        for (var step = 0; step < 1500 && idle < 40; step++)
        {
            // Workers of every kind: some serve one model, some all; some have a model loaded; for some a
            // faster idle worker serves a model or two.
            var models = rng.Next(3) == 0 ? [AllModels[rng.Next(AllModels.Length)]] : AllModels;
            var faster = rng.Next(3) == 0 ? AllModels.Where(_ => rng.Next(2) == 0).ToHashSet() : null;
            var worker = new WorkerProfile("test:1", "cpu", models, rng.Next(3) == 0 ? null : AllModels[rng.Next(AllModels.Length)], faster);
            var state = await ReadQueueAsync(server, clock.Now);
            var expected = ClaimPolicy.Choose(state.Heads, worker.View, clock.Now, rules);
            var strict = ClaimPolicy.Choose(state.Heads, new WorkerView(AllModels, null), clock.Now, rules with { AffinityMaxDelay = TimeSpan.Zero, FasterWorkerGrace = TimeSpan.Zero });
            backingOff += state.BackingOff;
            atLimit += state.Heads.Count(h => h.Blocked);
            var byLoad = expected?.PassedOver is not null && expected.Job.ModelId == worker.LoadedModel;
            byAffinity += byLoad ? 1 : 0;
            byPressure += expected?.PassedOver is not null && !byLoad ? 1 : 0;
            deferred += expected?.Job.JobId != ClaimPolicy.Choose(state.Heads, worker.View with { FasterIdle = null }, clock.Now, rules)?.Job.JobId ? 1 : 0;
            narrowed += expected is not null && strict is not null && expected.Job.JobId != strict.Job.JobId && expected.PassedOver is null ? 1 : 0;

            var claimed = await ClaimAsync(server, worker);
            Assert.True(expected?.Job.JobId == claimed?.Id, $"Step {step}: expected {expected?.Job.JobId}, claimed {claimed?.Id}.");
            await AssertHeadsFollowTheJobsAsync(server);
            if (claimed is not null)
            {
                claims++;
                idle = 0;
                aged += QueueOrder.EffectivePriority(expected!.Job.AsCandidate(), clock.Now, aging) > expected.Job.PlanPriority ? 1 : 0;
                Assert.Equal(JobStatus.Running, claimed.Status);
                Assert.Equal(clock.Now, claimed.StartedAt);
                Assert.Equal(clock.Now.AddSeconds(60), claimed.LeaseExpiresAt);
                Assert.Equal("test:1", claimed.WorkerId);
                Assert.Equal(1, claimed.Attempt);
                Assert.Equal(0, claimed.ProgressStep);
                Assert.Equal(clock.Now, await server.QueryAsync(db => db.Users.Where(u => u.Id == claimed.UserId).Select(u => u.LastServedAt).SingleAsync()));
            }
            else
            {
                idle++;
                if (state.Queued == 0)
                {
                    break;
                }
            }

            // Between claims: sometimes a running job finishes (a slot frees up) and time passes (aging,
            // backoffs end); when nothing was claimable, every running job finishes.
            if (claimed is null || rng.Next(3) == 0)
            {
                await FinishAsync(server, claimed is null ? null : rng);
            }

            clock.Advance(TimeSpan.FromSeconds(claimed is null ? 60 : rng.Next(0, 8)));
        }

        // The rules were exercised, not just the happy path.
        Assert.True(claims >= 250, $"Only {claims} claims.");
        Assert.True(aged > 0 && backingOff > 0 && atLimit > 0 && byAffinity > 0 && byPressure > 0 && narrowed > 0 && deferred > 0,
            $"aged {aged}, backing off {backingOff}, at limit {atLimit}, by affinity {byAffinity}, by pressure {byPressure}, narrowed by models {narrowed}, left to a faster worker {deferred}");
        Assert.Equal(0, await server.QueryAsync(db => db.Jobs.CountAsync(j => j.Status == JobStatus.Queued && (j.AvailableAt == null || j.AvailableAt <= clock.Now))));
    }

    [Fact]
    public async Task Parallel_claimers_take_every_job_once_and_never_exceed_a_running_limit()
    {
        var clock = new FrozenClock();
        await using var server = await StartAsync(clock);
        var rng = new Random(6102);
        var users = await SeedUsersAsync(server, rng, 30, clock.Now);
        var one = users.First(u => u.PlanId == "free");
        var three = users.First(u => u.PlanId == "studio");
        var plans = await server.QueryAsync(db => db.Plans.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.ConcurrentJobs));
        var limits = users.ToDictionary(u => u.Id, u => plans[u.PlanId]);
        Assert.Equal(1, limits[one.Id]);
        Assert.Equal(3, limits[three.Id]);

        var jobs = Enumerable.Range(0, 320)
            .Select(i => NewJob(rng, i % 4 == 0 ? one.Id : i % 4 == 1 ? three.Id : users[rng.Next(users.Count)].Id, rng.Next(2, 11), clock.Now.AddSeconds(-rng.Next(0, 600))))
            .ToList();
        await server.QueryAsync(db => { db.Jobs.AddRange(jobs); return db.SaveChangesAsync(); });
        await RebuildHeadsAsync(server, clock.Now);

        var claimed = new ConcurrentQueue<(Guid JobId, Guid UserId)>();
        var holding = new ConcurrentDictionary<Guid, int>();
        var violations = new ConcurrentBag<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await Task.WhenAll(Enumerable.Range(1, 8).Select(k => Task.Run(async () =>
        {
            var worker = $"test:{k}";
            var random = new Random(k);
            while (claimed.Count < jobs.Count)
            {
                timeout.Token.ThrowIfCancellationRequested();
                await using var scope = server.Services.CreateSystemScope();
                var job = await scope.ServiceProvider.GetRequiredService<JobLifecycle>().ClaimAsync(new WorkerProfile(worker, "cpu", AllModels, null), timeout.Token);
                if (job is null)
                {
                    await Task.Delay(random.Next(1, 4), timeout.Token);
                    continue;
                }

                claimed.Enqueue((job.Id, job.UserId));

                // Counted after the claim commits and uncounted before the finish commits: a count over the
                // limit here means the database really had that many running at once.
                var held = holding.AddOrUpdate(job.UserId, 1, (_, n) => n + 1);
                var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
                var running = await db.Jobs.CountAsync(j => j.UserId == job.UserId && j.Status == JobStatus.Running, timeout.Token);
                if (limits[job.UserId] is { } limit && (held > limit || running > limit))
                {
                    violations.Add($"user {job.UserId}: {held} held, {running} running, limit {limit}");
                }

                await Task.Delay(random.Next(0, 4), timeout.Token);
                holding.AddOrUpdate(job.UserId, 0, (_, n) => n - 1);

                // As the lifecycle finishes a job: under the owner's lock, freeing the owner's heads.
                await using var tx = await db.BeginWriteAsync(timeout.Token);
                await db.LockUserAsync(job.UserId, timeout.Token);
                var finished = await db.Jobs.Where(j => j.Id == job.Id && j.WorkerId == worker && j.Status == JobStatus.Running)
                    .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Succeeded).SetProperty(j => j.FinishedAt, clock.Now), timeout.Token);
                await scope.ServiceProvider.GetRequiredService<QueueHeads>().UnblockAsync(job.UserId, timeout.Token);
                await tx.CommitAsync(timeout.Token);
                if (finished != 1)
                {
                    violations.Add($"job {job.Id} was not running for {worker} any more");
                }
            }
        }, timeout.Token)));

        Assert.Empty(violations);
        Assert.Equal(jobs.Select(j => j.Id).Order(), claimed.Select(c => c.JobId).Order());
        var rows = await server.QueryAsync(db => db.Jobs.AsNoTracking().ToListAsync());
        Assert.All(rows, j => Assert.Equal((JobStatus.Succeeded, 1), (j.Status, j.Attempt)));

        // A user with one slot is claimed for strictly one job after another: in submission order.
        Assert.Equal(
            rows.Where(j => j.UserId == one.Id).OrderBy(j => j.CreatedAt).ThenBy(j => j.Id).Select(j => j.Id),
            claimed.Where(c => c.UserId == one.Id).Select(c => c.JobId));
    }

    [Fact]
    public async Task On_postgres_a_user_whose_row_is_locked_is_passed_over_not_waited_on()
    {
        var clock = new FrozenClock();
        await using var server = await StartAsync(clock, await TestDatabase.CreatePostgresAsync());
        var rng = new Random(6103);
        var users = await SeedUsersAsync(server, rng, 2, clock.Now, "enterprise");
        var (busy, other) = (users[0], users[1]);

        // busy's job would go first: higher priority and older.
        var first = NewJob(rng, busy.Id, 10, clock.Now.AddMinutes(-5));
        var second = NewJob(rng, other.Id, 2, clock.Now);
        await server.QueryAsync(db => { db.Jobs.AddRange(first, second); return db.SaveChangesAsync(); });
        await RebuildHeadsAsync(server, clock.Now);

        // A submit, cancel or settlement for busy in progress in another transaction holds its user row.
        await using var lockScope = server.Services.CreateSystemScope();
        var lockDb = lockScope.ServiceProvider.GetRequiredService<PingvasDb>();
        await using var tx = await lockDb.BeginWriteAsync(CancellationToken.None);
        await lockDb.LockUserAsync(busy.Id, CancellationToken.None);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal(second.Id, (await ClaimAsync(server, "test:1", timeout.Token))?.Id);
        Assert.Null(await ClaimAsync(server, "test:2", timeout.Token));

        // FOR NO KEY UPDATE does not block foreign-key checks: busy's new job can be inserted meanwhile.
        var third = NewJob(rng, busy.Id, 10, clock.Now);
        await server.QueryAsync(db => { db.Jobs.Add(third); return db.SaveChangesAsync(timeout.Token); });

        await tx.CommitAsync(CancellationToken.None);
        Assert.Equal(first.Id, (await ClaimAsync(server, "test:3", timeout.Token))?.Id);
        Assert.Equal(third.Id, (await ClaimAsync(server, "test:4", timeout.Token))?.Id);
    }

    [Fact]
    public async Task The_claim_changes_the_job_row_exactly_as_the_job_aggregate_does()
    {
        var clock = new FrozenClock();
        await using var server = await StartAsync(clock);
        var rng = new Random(77);
        var user = (await SeedUsersAsync(server, rng, 1, clock.Now, "pro"))[0];
        var job = NewJob(rng, user.Id, 6, clock.Now.AddMinutes(-2));
        (job.Attempt, job.FailedAttempts, job.ProgressStep, job.AvailableAt) = (2, 1, 3, clock.Now.AddSeconds(-5));
        await server.QueryAsync(db => { db.Jobs.Add(job); return db.SaveChangesAsync(); });
        await RebuildHeadsAsync(server, clock.Now);

        // On PostgreSQL the claim is one SQL statement; on SQLite it applies Job.Claim itself.
        var claimed = await ClaimAsync(server, "test:claim");
        Assert.NotNull(claimed);
        var row = await server.QueryAsync(db => db.Jobs.AsNoTracking().SingleAsync(j => j.Id == job.Id));

        var expected = await server.QueryAsync(db => db.Jobs.AsNoTracking().SingleAsync(j => j.Id == job.Id));
        (expected.Status, expected.Attempt, expected.WorkerId, expected.StartedAt, expected.LeaseExpiresAt, expected.ProgressStep) =
            (JobStatus.Queued, 2, null, null, null, 3);
        Assert.True(expected.Claim("test:claim", clock.Now, row.LeaseExpiresAt!.Value));
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(expected), System.Text.Json.JsonSerializer.Serialize(row));
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(row), System.Text.Json.JsonSerializer.Serialize(claimed));
        Assert.Equal(clock.Now.AddSeconds(60), row.LeaseExpiresAt);
        Assert.Equal(clock.Now, (await server.UserRowAsync(user.Id)).LastServedAt);
    }
}
