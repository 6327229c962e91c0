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

/// <summary>The servers, seeds and queue readers behind <see cref="ClaimOrderTests"/>.</summary>
public sealed partial class ClaimOrderTests
{
    /// <summary>A server with no workers and no lease recovery, on a clock that moves only when told.</summary>
    private static Task<PingvasServer> StartAsync(FrozenClock clock, TestDatabase? database = null) =>
        PingvasServer.StartAsync(
            new TestSettings { AgingSeconds = AgingSeconds }
                .With("Queue:AffinityMaxDelaySeconds", AffinitySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .With("Queue:FasterWorkerGraceSeconds", FasterGraceSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            configureServices: services =>
            {
                foreach (var hosted in services.Where(d => d.ServiceType == typeof(IHostedService)
                    && (d.ImplementationType == typeof(WorkerPool) || d.ImplementationType == typeof(QueueRecovery))).ToList())
                {
                    services.Remove(hosted);
                }

                services.AddSingleton<TimeProvider>(clock);
            },
            database: database);

    private static Task<Job?> ClaimAsync(PingvasServer server, string workerId, CancellationToken ct = default) =>
        ClaimAsync(server, new WorkerProfile(workerId, "cpu", AllModels, null), ct);

    private static async Task<Job?> ClaimAsync(PingvasServer server, WorkerProfile worker, CancellationToken ct = default)
    {
        await using var scope = server.Services.CreateSystemScope();
        return await scope.ServiceProvider.GetRequiredService<JobLifecycle>().ClaimAsync(worker, ct);
    }

    /// <summary>The jobs here are written straight to the database, so their queue heads are built from them as an operator's repair would.</summary>
    private static async Task RebuildHeadsAsync(PingvasServer server, DateTime now)
    {
        await using var scope = server.Services.CreateSystemScope();
        await scope.ServiceProvider.GetRequiredService<QueueHeads>().RebuildAsync(now, CancellationToken.None);
    }

    /// <summary>Every pair's head is its oldest queued job, and no other head exists.</summary>
    private static async Task AssertHeadsFollowTheJobsAsync(PingvasServer server)
    {
        var expected = await server.QueryAsync(db => db.Jobs.AsNoTracking().Where(j => j.Status == JobStatus.Queued)
            .Select(j => new { j.Id, j.UserId, j.ModelId, j.CreatedAt }).ToListAsync());
        var heads = await server.QueryAsync(db => db.QueueHeads.AsNoTracking().Select(h => h.JobId).ToListAsync());
        Assert.Equal(
            expected.GroupBy(j => (j.UserId, j.ModelId)).Select(g => g.OrderBy(j => j.CreatedAt).ThenBy(j => j.Id).First().Id).Order(),
            heads.Order());
    }

    /// <summary>Users straight in the database (no password hashing): plans round-robin, a third never served.</summary>
    private static async Task<List<User>> SeedUsersAsync(PingvasServer server, Random rng, int count, DateTime now, string? plan = null)
    {
        var users = Enumerable.Range(0, count).Select(i => new User
        {
            Id = NewId(rng),
            Email = $"claim-{i}-{Guid.NewGuid():N}@example.com",
            Name = $"Claimer {i}",
            PasswordHash = "not-a-hash",
            PlanId = plan ?? PlanIds[i % PlanIds.Length],
            PeriodStart = now.AddDays(-1),
            PeriodEnd = now.AddDays(29),
            LastServedAt = i % 3 == 0 ? null : now.AddSeconds(-rng.Next(0, 900)),
            CreatedAt = now.AddDays(-1),
        }).ToList();
        await server.QueryAsync(db => { db.Users.AddRange(users); return db.SaveChangesAsync(); });
        return users;
    }

    private static Job NewJob(Random rng, Guid userId, int priority, DateTime createdAt, string model = "sd-1.5") => new()
    {
        Id = NewId(rng),
        UserId = userId,
        Status = JobStatus.Queued,
        Prompt = "a lighthouse",
        ModelId = model,
        Width = 512,
        Height = 512,
        Steps = 1,
        CfgScale = 7,
        Scheduler = "euler",
        Seed = 1,
        BatchSize = 1,
        Priority = priority,
        ProgressTotal = 1,
        CreatedAt = createdAt,
    };

    private static Guid NewId(Random rng)
    {
        var bytes = new byte[16];
        rng.NextBytes(bytes);
        return new Guid(bytes);
    }

    private sealed record QueueState(IReadOnlyList<QueueHead> Heads, int Queued, int BackingOff);

    /// <summary>
    /// The heads as the rules define them, computed here from the job rows, not by the server: each
    /// user's oldest queued job per model, blocked when the user is at the running limit. Only the
    /// pass-over stamp, which is the claims' own memory, is read from the server's heads.
    /// </summary>
    private static async Task<QueueState> ReadQueueAsync(PingvasServer server, DateTime now)
    {
        var jobs = await server.QueryAsync(db => db.Jobs.AsNoTracking()
            .Where(j => j.Status == JobStatus.Queued || j.Status == JobStatus.Running)
            .Select(j => new { j.Id, j.UserId, j.ModelId, j.Status, j.Priority, j.CreatedAt, j.AvailableAt })
            .ToListAsync());
        var users = await server.QueryAsync(db => db.Users.AsNoTracking()
            .Join(db.Plans, u => u.PlanId, p => p.Id, (u, p) => new { u.Id, u.LastServedAt, p.ConcurrentJobs })
            .ToDictionaryAsync(u => u.Id));
        var passedOver = await server.QueryAsync(db => db.QueueHeads.AsNoTracking().ToDictionaryAsync(h => h.JobId, h => h.PassedOverAt));
        var heads = jobs.Where(j => j.Status == JobStatus.Queued)
            .GroupBy(j => (j.UserId, j.ModelId))
            .Select(g => g.OrderBy(j => j.CreatedAt).ThenBy(j => j.Id).First())
            .Select(h => new QueueHead(h.Id, h.UserId, h.ModelId, h.Priority, h.CreatedAt, users[h.UserId].LastServedAt, h.AvailableAt,
                passedOver.GetValueOrDefault(h.Id),
                users[h.UserId].ConcurrentJobs is { } limit && jobs.Count(j => j.UserId == h.UserId && j.Status == JobStatus.Running) >= limit))
            .ToList();
        return new QueueState(heads, jobs.Count(j => j.Status == JobStatus.Queued), heads.Count(h => h.AvailableAt > now));
    }

    /// <summary>Finishes one running job at random (every one without <paramref name="rng"/>) as the lifecycle would: under the owner's lock, freeing the owner's heads.</summary>
    private static async Task FinishAsync(PingvasServer server, Random? rng)
    {
        await using var scope = server.Services.CreateSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
        var running = await db.Jobs.Where(j => j.Status == JobStatus.Running).Select(j => new { j.Id, j.UserId }).OrderBy(j => j.Id).ToListAsync();
        var done = rng is null ? running : running.Count > 0 ? [running[rng.Next(running.Count)]] : [];
        foreach (var job in done)
        {
            await using var tx = await db.BeginWriteAsync(CancellationToken.None);
            await db.LockUserAsync(job.UserId, CancellationToken.None);
            await db.Jobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Succeeded));
            await scope.ServiceProvider.GetRequiredService<QueueHeads>().UnblockAsync(job.UserId, CancellationToken.None);
            await tx.CommitAsync();
        }
    }

    /// <summary>UTC now, whole seconds (exact in both databases), standing still until advanced.</summary>
    private sealed class FrozenClock : TimeProvider
    {
        private long ticks = DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond;

        public DateTime Now => new(Interlocked.Read(ref ticks), DateTimeKind.Utc);

        public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);

        public override DateTimeOffset GetUtcNow() => new(Now);
    }
}
