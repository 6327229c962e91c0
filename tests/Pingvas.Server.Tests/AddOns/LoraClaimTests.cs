using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Data;
using Pingvas.Server.Jobs;
using Pingvas.Server.Queue;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Workers;

namespace Pingvas.Server.Tests.AddOns;

/// <summary>
/// LoRA-aware claims (issue 11, docs/architecture.md "Queue and workers" rule 9): with two idle
/// workers serving the model, a fresh job with LoRAs goes to the one holding them even when the other
/// asks first; the other takes it once the grace is over; a job without LoRAs is not held back. The
/// head carries the job's LoRAs from the submit, the claim's advance and a rebuild, on both databases.
/// </summary>
public sealed class LoraClaimTests
{
    private const string HolderId = "lora-host:1:00000000:1";
    private const string PlainId = "plain-host:1:00000000:1";

    [Fact]
    public async Task A_fresh_lora_job_goes_to_the_idle_holder_though_the_other_worker_asks_first()
    {
        await using var server = await StartAsync();
        var (user, lora) = await ProUserWithLoraAsync(server);
        await RegisterWorkersAsync(server, lora);
        var job = await SubmitAsync(user, lora);
        Assert.Equal(lora.ToString("N"), await HeadLorasAsync(server, job));

        // A rebuild of the heads keeps what the head carries.
        await using (var scope = server.Services.CreateSystemScope())
        {
            await scope.ServiceProvider.GetRequiredService<QueueHeads>().RebuildAsync(DateTime.UtcNow, CancellationToken.None);
        }

        Assert.Equal(lora.ToString("N"), await HeadLorasAsync(server, job));

        Assert.Null(await ClaimAsync(server, await PlainAsync(server)));
        Assert.Equal(job, (await ClaimAsync(server, await HolderAsync(server, lora)))?.Id);
    }

    [Fact]
    public async Task A_worker_without_the_lora_takes_the_job_once_the_grace_is_over()
    {
        await using var server = await StartAsync();
        var (user, lora) = await ProUserWithLoraAsync(server);
        await RegisterWorkersAsync(server, lora);
        var job = await SubmitAsync(user, lora);
        var plain = await PlainAsync(server);
        Assert.Null(await ClaimAsync(server, plain));

        // Ready for longer than the grace (moved back rather than waited for): nobody holds it back.
        var past = DateTime.UtcNow.AddMinutes(-2);
        await server.QueryAsync(db => db.QueueHeads.Where(h => h.JobId == job).ExecuteUpdateAsync(s => s.SetProperty(h => h.CreatedAt, past)));
        await server.QueryAsync(db => db.Jobs.Where(j => j.Id == job).ExecuteUpdateAsync(s => s.SetProperty(j => j.CreatedAt, past)));
        Assert.Equal(job, (await ClaimAsync(server, plain))?.Id);
    }

    [Fact]
    public async Task A_job_without_loras_is_not_held_back_and_the_claims_advance_carries_the_next_jobs_loras()
    {
        await using var server = await StartAsync();
        var (user, lora) = await ProUserWithLoraAsync(server);
        await RegisterWorkersAsync(server, lora);
        var first = (await user.SubmitJsonAsync(Request(null)))["id"]!.GetValue<Guid>();
        var second = await SubmitAsync(user, lora);
        Assert.Null(await HeadLorasAsync(server, first));

        // The plain job goes to whoever asks, holder idle or not.
        var plain = await PlainAsync(server);
        Assert.Equal(first, (await ClaimAsync(server, plain))?.Id);

        // The pair's head moved to the LoRA job with its LoRAs: fresh, it waits for the holder.
        Assert.Equal(lora.ToString("N"), await HeadLorasAsync(server, second));
        await FinishAsync(server, first);
        Assert.Null(await ClaimAsync(server, plain));
        Assert.Equal(second, (await ClaimAsync(server, await HolderAsync(server, lora)))?.Id);
    }

    [Fact]
    public async Task The_in_process_worker_leaves_a_fresh_lora_job_to_an_idle_holder_until_the_grace_is_over()
    {
        await using var server = await PingvasServer.StartAsync(
            new TestSettings().With("Queue:LoraAffinityGraceSeconds", "2").With("Workers:IdleFleetCacheMilliseconds", "0"),
            configureServices: ScriptedEngine.Install);
        var (user, lora) = await ProUserWithLoraAsync(server);
        // The holder is another process's idle worker that never claims here.
        await server.Services.GetRequiredService<WorkerRegistry>().SaveAsync([Row(HolderId, WorkerLoras.Join([lora]))], CancellationToken.None);

        // The worker's loop reads the idle holders before it claims, and a claim may wait on the
        // submit's write lock with what it read: a plain job run first makes sure the loop that meets
        // the LoRA job read the registry after the holder was saved.
        await RanAsync(server, (await user.SubmitJsonAsync(Request(null)))["id"]!.GetValue<Guid>());
        var job = await SubmitAsync(user, lora);
        var ran = await RanAsync(server, job);
        Assert.True(ran.StartedAt - ran.CreatedAt >= TimeSpan.FromSeconds(2), $"started {ran.StartedAt - ran.CreatedAt} after submit");
    }

    [Fact]
    public async Task An_in_process_worker_whose_engine_holds_the_lora_takes_it_at_once()
    {
        await using var server = await PingvasServer.StartAsync(
            new TestSettings().With("Queue:LoraAffinityGraceSeconds", "600").With("Workers:IdleFleetCacheMilliseconds", "0"),
            configureServices: ScriptedEngine.Install);
        var (user, lora) = await ProUserWithLoraAsync(server);
        server.Services.GetServices<Pingvas.Engines.IImageEngine>().OfType<ScriptedEngine>().Single().HeldLoras = [lora];
        await server.Services.GetRequiredService<WorkerRegistry>().SaveAsync([Row(HolderId, WorkerLoras.Join([lora]))], CancellationToken.None);

        // Both hold it: nobody waits (the grace is far longer than the test's deadline).
        var job = await SubmitAsync(user, lora);
        var ran = await RanAsync(server, job);
        Assert.True(ran.StartedAt - ran.CreatedAt < TimeSpan.FromSeconds(60));
    }

    /// <summary>Waits for the in-process worker to finish the job; its start and submit times.</summary>
    private static async Task<(DateTime CreatedAt, DateTime StartedAt)> RanAsync(PingvasServer server, Guid jobId)
    {
        await Eventually.UntilAsync(
            async () => await server.QueryAsync(db => db.Jobs.AnyAsync(j => j.Id == jobId && j.Status == JobStatus.Succeeded)),
            TimeSpan.FromSeconds(120), "the job ran");
        var job = await server.QueryAsync(db => db.Jobs.AsNoTracking().SingleAsync(j => j.Id == jobId));
        Assert.StartsWith(WorkerNames.Process, job.WorkerId);
        return (job.CreatedAt, job.StartedAt!.Value);
    }

    private static Task<PingvasServer> StartAsync() => PingvasServer.StartAsync(
        new TestSettings().With("Queue:LoraAffinityGraceSeconds", "60").With("Workers:IdleFleetCacheMilliseconds", "0"),
        configureServices: RemoteWorker.ReplacePool);

    private static async Task<(TestUser User, Guid Lora)> ProUserWithLoraAsync(PingvasServer server)
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "pro");
        return (user, await server.AddLoraAsync(user.Id));
    }

    /// <summary>Two idle workers of the same class serving sd-1.5; one holds the LoRA.</summary>
    private static Task RegisterWorkersAsync(PingvasServer server, Guid lora) =>
        server.Services.GetRequiredService<WorkerRegistry>().SaveAsync([Row(HolderId, WorkerLoras.Join([lora])), Row(PlainId, null)], CancellationToken.None);

    private static async Task<WorkerProfile> PlainAsync(PingvasServer server)
    {
        var view = RemoteWorker.Profile(PlainId) with { LoraHolders = await server.Services.GetRequiredService<IdleFleet>().LoraHoldersAsync(PlainId, CancellationToken.None) };
        Assert.Contains("sd-1.5", view.LoraHolders!.Keys);
        return view;
    }

    private static async Task<WorkerProfile> HolderAsync(PingvasServer server, Guid lora) =>
        RemoteWorker.Profile(HolderId) with
        {
            HeldLoras = [lora],
            LoraHolders = await server.Services.GetRequiredService<IdleFleet>().LoraHoldersAsync(HolderId, CancellationToken.None),
        };

    private static object Request(Guid? lora) => lora is { } id
        ? new { prompt = "x", model = "sd-1.5", width = 64, height = 64, steps = 10, loras = new[] { new { id, weight = 1.0 } } }
        : new { prompt = "x", model = "sd-1.5", width = 64, height = 64, steps = 10 };

    private static async Task<Guid> SubmitAsync(TestUser user, Guid lora) => (await user.SubmitJsonAsync(Request(lora)))["id"]!.GetValue<Guid>();

    private static Task<string?> HeadLorasAsync(PingvasServer server, Guid jobId) =>
        server.QueryAsync(db => db.QueueHeads.Where(h => h.JobId == jobId).Select(h => h.Loras).SingleAsync());

    private static WorkerRow Row(string id, string? loras) => new()
    {
        Id = id,
        Process = id[..id.LastIndexOf(':')],
        Role = "worker",
        Engine = "invokeai",
        Instance = "http://" + id[..id.IndexOf(':')] + ":9090",
        GpuClass = "cpu",
        Models = "sd-1.5",
        Loras = loras,
        State = WorkerStates.Idle,
        StartedAt = DateTime.UtcNow,
    };

    private static async Task<Job?> ClaimAsync(PingvasServer server, WorkerProfile worker)
    {
        await using var scope = server.Services.CreateSystemScope();
        return await scope.ServiceProvider.GetRequiredService<JobLifecycle>().ClaimAsync(worker, CancellationToken.None);
    }

    private static Task FinishAsync(PingvasServer server, Guid jobId) =>
        server.QueryAsync(db => db.Jobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Succeeded)));
}
