using System.Net;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Jobs;
using Pingvas.Server.Realtime;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// Every way a job can end, each walked through the real server with its owner watching over a
/// real SignalR client: succeeded, failed, timed out (stopped by its worker, or by recovery when
/// the worker did not), cancelled (queued, running, orphaned), re-queued after a lost lease,
/// dead-lettered, retried. Each job sends its owner exactly one final event, from exactly one
/// outbox row, and the owner's credits add up.
/// </summary>
public sealed class JobLifecycleTests(JobLifecycleTests.Fixture fixture) : IClassFixture<JobLifecycleTests.Fixture>
{
    private const string OtherWorker = "other-host:1:00000000:1";

    private readonly PingvasServer server = fixture.Server;

    /// <summary>Short leases and backoffs so recovery acts within seconds; a time limit a hanging job reaches.</summary>
    public sealed class Fixture() : ServerFixture(new TestSettings
    {
        StepDelayMs = 20,
        WorkerConcurrency = 4,
        LeaseSeconds = 6,
        RetryBackoffSeconds = 1,
        MaxAttempts = 3,
    }.With("Queue:MaxRunSeconds", "10"))
    {
        protected override void ConfigureServices(IServiceCollection services) => ScriptedEngine.Install(services);
    }

    [Fact]
    public async Task Every_path_to_a_final_state_sends_its_owner_exactly_one_final_event()
    {
        var paths = new Func<TestUser, Task<Expected[]>>[]
        {
            SucceedsAsync, FailsAsync, TimesOutInItsWorkerAsync, TimesOutInRecoveryAsync, CancelledWhileQueuedAsync,
            CancelledWhileOrphanedAsync, RequeuedAfterALostLeaseAsync, DeadLetteredAsync, RetriedUntilItGivesUpAsync, RetriedOnceAsync,
        };

        // Owners and their clients one by one (Node start-ups are heavy), then every path at once.
        var owners = new List<(TestUser User, NodeSignalRClient Client)>();
        try
        {
            foreach (var _ in paths)
            {
                var user = await server.RegisterAsync();
                owners.Add((user, await NodeSignalRClient.ConnectAsync(server.BaseAddress, user.AccessToken, new NodeSignalROptions { Seconds = 180 })));
            }

            var runs = await Task.WhenAll(paths.Zip(owners, async (path, owner) => (owner.User, owner.Client, Expected: await path(owner.User))));
            foreach (var (user, client, expected) in runs)
            {
                foreach (var job in expected)
                {
                    await client.WaitForEventAsync(e => e.Id == job.Id && e.Status is "succeeded" or "failed" or "cancelled", TimeSpan.FromSeconds(60));
                }
            }

            // Every final event has left the outbox: nothing more can come.
            await Infrastructure.Eventually.UntilAsync(() => server.QueryAsync(db => db.Outbox.AllAsync(m => m.DeliveredAt != null)), TimeSpan.FromSeconds(30), "the outbox to drain");

            foreach (var (user, client, expected) in runs)
            {
                await AssertEndedOnceAsync(user, client, expected);
            }
        }
        finally
        {
            foreach (var (_, client) in owners)
            {
                await client.DisposeAsync();
            }
        }
    }

    private async Task AssertEndedOnceAsync(TestUser user, NodeSignalRClient client, Expected[] expected)
    {
        var messages = await server.QueryAsync(db => db.Outbox.AsNoTracking().Where(m => m.UserId == user.Id).ToListAsync());
        var ledger = await user.LedgerAsync();
        foreach (var job in expected)
        {
            var finals = client.Generations.Where(e => e.Id == job.Id && e.Status is "succeeded" or "failed" or "cancelled").ToList();
            var final = Assert.Single(finals);
            Assert.True(job.Status == final.Status && job.ErrorCode == final.Error?.Code,
                $"{job.Path}: expected {job.Status} {job.ErrorCode}, got {final.Status} {final.Error?.Code}");
            Assert.Single(messages, m => m.Topic == GenerationEventMessage.Topic && GenerationEventMessage.Deserialize(m.Payload).Generation.Id == job.Id);

            var rest = await user.GetAsync(job.Id);
            Assert.Equal(final.Status, rest.Status);
            Assert.Equal(rest.CreditsCharged, final.CreditsCharged);
            var charges = ledger.Where(e => e.JobId == job.Id && e.Kind == "charge").ToList();
            if (job.Charged)
            {
                Assert.True(charges.Count == 1, $"{job.Path}: {charges.Count} charges; ledger: {string.Join(", ", ledger.Where(e => e.JobId == job.Id).Select(e => $"{e.Kind} {e.Amount}"))}; final {final.Status}");
                Assert.Equal(-rest.CreditsCharged, charges[0].Amount);
            }
            else
            {
                Assert.Empty(charges);
                Assert.Equal(0, rest.CreditsCharged);
                Assert.Equal(rest.ReservedCredits, Assert.Single(ledger, e => e.JobId == job.Id && e.Kind == "release").Amount);
            }
        }

        var me = await user.MeAsync();
        Assert.Equal(0, me.Credits.Reserved);
        Assert.Equal(me.Credits.Balance, ledger.Sum(e => e.Amount));
        Assert.Equal(me.Credits.Balance, client.Generations.Last(e => e.Balance is not null).Balance);
    }

    private static async Task<Expected[]> SucceedsAsync(TestUser user)
    {
        var job = await user.SubmitAsync(TestUser.Request(steps: 3));
        return [new(nameof(SucceedsAsync), job.Id, "succeeded", null, Charged: true)];
    }

    private static async Task<Expected[]> FailsAsync(TestUser user)
    {
        var job = await user.SubmitAsync(TestUser.Request(prompt: "fail: a broken node"));
        return [new(nameof(FailsAsync), job.Id, "failed", "engine_error", Charged: false)];
    }

    private static async Task<Expected[]> TimesOutInItsWorkerAsync(TestUser user)
    {
        var job = await user.SubmitAsync(TestUser.Request(prompt: "hang: a render that never ends"));
        return [new(nameof(TimesOutInItsWorkerAsync), job.Id, "failed", "timed_out", Charged: false)];
    }

    /// <summary>Its worker (elsewhere) keeps renewing the lease but never stops it: recovery times it out.</summary>
    private async Task<Expected[]> TimesOutInRecoveryAsync(TestUser user)
    {
        var (hanging, waiting) = await QueuedBehindAHangingJobAsync(user);
        await HijackAsync(waiting.Id, leaseUntil: DateTime.UtcNow.AddMinutes(5), startedAt: DateTime.UtcNow.AddHours(-1), attempt: 1, failedAttempts: 0);
        await CancelAsync(user, hanging.Id);
        return [new(nameof(TimesOutInRecoveryAsync), waiting.Id, "failed", "timed_out", Charged: false), Cancelled(hanging)];
    }

    private async Task<Expected[]> CancelledWhileQueuedAsync(TestUser user)
    {
        var (hanging, waiting) = await QueuedBehindAHangingJobAsync(user);
        await CancelAsync(user, waiting.Id);
        await CancelAsync(user, hanging.Id);
        return [new(nameof(CancelledWhileQueuedAsync), waiting.Id, "cancelled", null, Charged: false), Cancelled(hanging)];
    }

    /// <summary>The cancel reaches a job whose worker died; when its lease runs out it ends cancelled, not re-queued.</summary>
    private async Task<Expected[]> CancelledWhileOrphanedAsync(TestUser user)
    {
        var (hanging, waiting) = await QueuedBehindAHangingJobAsync(user);
        await HijackAsync(waiting.Id, leaseUntil: DateTime.UtcNow.AddSeconds(2), startedAt: DateTime.UtcNow, attempt: 1, failedAttempts: 0);
        await CancelAsync(user, waiting.Id);
        await CancelAsync(user, hanging.Id);
        return [new(nameof(CancelledWhileOrphanedAsync), waiting.Id, "cancelled", null, Charged: false), Cancelled(hanging)];
    }

    private async Task<Expected[]> RequeuedAfterALostLeaseAsync(TestUser user)
    {
        var (hanging, waiting) = await QueuedBehindAHangingJobAsync(user);
        await HijackAsync(waiting.Id, leaseUntil: DateTime.UtcNow.AddSeconds(-1), startedAt: DateTime.UtcNow, attempt: 1, failedAttempts: 0);
        await CancelAsync(user, hanging.Id);
        return [new(nameof(RequeuedAfterALostLeaseAsync), waiting.Id, "succeeded", null, Charged: true), Cancelled(hanging)];
    }

    private async Task<Expected[]> DeadLetteredAsync(TestUser user)
    {
        var (hanging, waiting) = await QueuedBehindAHangingJobAsync(user);
        await HijackAsync(waiting.Id, leaseUntil: DateTime.UtcNow.AddSeconds(-1), startedAt: DateTime.UtcNow, attempt: 3, failedAttempts: 2);
        await CancelAsync(user, hanging.Id);
        return [new(nameof(DeadLetteredAsync), waiting.Id, "failed", "worker_lost", Charged: false), Cancelled(hanging)];
    }

    private static async Task<Expected[]> RetriedUntilItGivesUpAsync(TestUser user)
    {
        var job = await user.SubmitAsync(TestUser.Request(prompt: "retry: a node that keeps going away"));
        return [new(nameof(RetriedUntilItGivesUpAsync), job.Id, "failed", "engine_retry", Charged: false)];
    }

    private static async Task<Expected[]> RetriedOnceAsync(TestUser user)
    {
        var job = await user.SubmitAsync(TestUser.Request(prompt: "retry-once: a node that comes back", steps: 2));
        return [new(nameof(RetriedOnceAsync), job.Id, "succeeded", null, Charged: true)];
    }

    /// <summary>A job that runs until cancelled, and the owner's next job waiting behind it (Free runs one at a time).</summary>
    private static async Task<(GenerationBody Hanging, GenerationBody Waiting)> QueuedBehindAHangingJobAsync(TestUser user)
    {
        var hanging = await user.SubmitAsync(TestUser.Request(prompt: "hang: holds the owner's only slot"));
        await user.WaitForAsync(hanging.Id, "running");
        var waiting = await user.SubmitAsync(TestUser.Request(steps: 2, seed: 8));
        Assert.Equal("queued", (await user.GetAsync(waiting.Id)).Status);
        return (hanging, waiting);
    }

    /// <summary>What a worker of another process leaves: the job running under its id and lease.</summary>
    private async Task HijackAsync(Guid jobId, DateTime leaseUntil, DateTime startedAt, int attempt, int failedAttempts)
    {
        await server.QueryAsync(db => db.Jobs.Where(j => j.Id == jobId && j.Status == JobStatus.Queued).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, JobStatus.Running)
            .SetProperty(j => j.WorkerId, OtherWorker)
            .SetProperty(j => j.Attempt, attempt)
            .SetProperty(j => j.FailedAttempts, failedAttempts)
            .SetProperty(j => j.StartedAt, startedAt)
            .SetProperty(j => j.LeaseExpiresAt, leaseUntil)));
        await server.RecomputeQueueHeadAsync(jobId);
    }

    private static async Task CancelAsync(TestUser user, Guid jobId) =>
        Assert.Equal(HttpStatusCode.OK, (await user.Client.PostAsync($"/api/v1/generations/{jobId}/cancel", null)).StatusCode);

    private static Expected Cancelled(GenerationBody hanging) => new("a hanging job cancelled while running", hanging.Id, "cancelled", null, Charged: true);

    private sealed record Expected(string Path, Guid Id, string Status, string? ErrorCode, bool Charged);
}
