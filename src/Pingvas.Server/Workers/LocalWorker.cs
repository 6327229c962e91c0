using Pingvas.Server.Queue;

namespace Pingvas.Server.Workers;

/// <summary>
/// One worker loop of this process: its id, its engine, and what the registry shows about it.
/// The loop is the only writer of its fields except <see cref="Stopping"/>; rows are written from a
/// snapshot taken under <see cref="SaveAsync"/>'s lock, so writes of one row land in order.
/// </summary>
public sealed class LocalWorker(string id, EngineSlot slot, string role, DateTime startedAt)
{
    private readonly SemaphoreSlim writing = new(1, 1);

    public string Id { get; } = id;

    public EngineSlot Slot { get; } = slot;

    public string? LoadedModel { get; set; }

    public Guid? CurrentJobId { get; set; }

    public long JobsDone { get; set; }

    public long BusyMs { get; set; }

    public volatile bool Stopping;

    public WorkerProfile Profile() => new(Id, Slot.Engine.GpuClass, Slot.Models, LoadedModel);

    public string State =>
        Stopping ? WorkerStates.Stopping
        : !Slot.Healthy ? WorkerStates.Unhealthy
        : CurrentJobId is not null ? WorkerStates.Busy
        : WorkerStates.Idle;

    public WorkerRow ToRow() => new()
    {
        Id = Id,
        Process = WorkerNames.Process,
        Role = role,
        Engine = Slot.Engine.Name,
        Instance = Slot.Engine.Instance,
        GpuClass = Slot.Engine.GpuClass,
        Models = WorkerModels.Join(Slot.Models),
        LoadedModel = LoadedModel,
        Loras = WorkerLoras.Join(Slot.Engine.HeldLoras),
        State = State,
        CurrentJobId = CurrentJobId,
        JobsDone = JobsDone,
        BusyMs = BusyMs,
        StartedAt = startedAt,
    };

    /// <summary>Writes this worker's row as it is now (best effort, see <see cref="WorkerRegistry"/>).</summary>
    public async Task SaveAsync(WorkerRegistry registry, CancellationToken ct)
    {
        await writing.WaitAsync(ct);
        try
        {
            await registry.SaveAsync([ToRow()], ct);
        }
        finally
        {
            writing.Release();
        }
    }
}
