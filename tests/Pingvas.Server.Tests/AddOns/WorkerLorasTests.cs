using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Engines;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Workers;

namespace Pingvas.Server.Tests.AddOns;

/// <summary>Workers report the LoRAs their engine holds into the registry (<c>workers.loras</c>), bounded.</summary>
public sealed class WorkerLorasTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public void The_column_is_sorted_bounded_and_reads_back()
    {
        var many = Enumerable.Range(0, WorkerLoras.MaxReported + 10).Select(_ => Guid.NewGuid()).ToList();
        var joined = WorkerLoras.Join(many)!;
        var read = WorkerLoras.Split(joined);
        Assert.Equal(WorkerLoras.MaxReported, read.Count);
        Assert.Equal(read.Select(r => r.ToString("N")).Order(StringComparer.Ordinal), read.Select(r => r.ToString("N")));
        Assert.All(read, id => Assert.Contains(id, many));
        Assert.True(joined.Length <= WorkerLoras.MaxReported * 33);

        Assert.Null(WorkerLoras.Join([]));
        Assert.Empty(WorkerLoras.Split(null));
        Assert.Empty(WorkerLoras.Split("not-a-lora,"));
    }

    [Fact]
    public async Task A_workers_row_carries_the_loras_its_engine_holds_and_follows_them()
    {
        var engine = new HoldingEngine { Held = [Guid.NewGuid(), Guid.NewGuid()] };
        var worker = new LocalWorker($"test-loras-{Guid.NewGuid():N}", new EngineSlot(engine), "worker", DateTime.UtcNow);
        var registry = server.Services.GetRequiredService<WorkerRegistry>();
        try
        {
            await worker.SaveAsync(registry, CancellationToken.None);
            Assert.Equal(engine.Held.Order(), WorkerLoras.Split(await LorasOfAsync(worker.Id)).Order());

            // The next write of the row (a claim, a finish) reports what the node holds then.
            engine.Held = [engine.Held[1]];
            await worker.SaveAsync(registry, CancellationToken.None);
            Assert.Equal(engine.Held, WorkerLoras.Split(await LorasOfAsync(worker.Id)));

            engine.Held = [];
            await worker.SaveAsync(registry, CancellationToken.None);
            Assert.Null(await LorasOfAsync(worker.Id));
        }
        finally
        {
            await server.QueryAsync(db => db.Workers.Where(w => w.Id == worker.Id).ExecuteDeleteAsync());
        }
    }

    private Task<string?> LorasOfAsync(string workerId) =>
        server.QueryAsync(db => db.Workers.Where(w => w.Id == workerId).Select(w => w.Loras).SingleAsync());

    /// <summary>An engine that serves nothing and holds the LoRAs a test says.</summary>
    private sealed class HoldingEngine : IImageEngine
    {
        public List<Guid> Held { get; set; } = [];

        public string Name => "holding-test";

        public IReadOnlyCollection<string> Models => [];

        public IReadOnlyCollection<Guid> HeldLoras => Held;

        public Task<EngineResult> RunAsync(EngineJob job, Func<EngineProgress, ValueTask> onProgress, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("This test engine serves no model, so no job reaches it.");
    }
}
