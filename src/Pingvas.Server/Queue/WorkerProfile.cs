namespace Pingvas.Server.Queue;

/// <summary>
/// A worker as a claim sees it: its id (the lease's fencing name), the GPU class it runs on, the
/// catalog models it can serve, the model it has loaded (that of its last job; null at start), and
/// the models an idle worker of a faster GPU class serves (Workers/IdleFleet; null or empty: none),
/// the LoRAs its engine holds, and per model the LoRAs other idle workers serving it hold (Workers/IdleFleet).
/// </summary>
public sealed record WorkerProfile(
    string WorkerId,
    string GpuClass,
    IReadOnlyCollection<string> Models,
    string? LoadedModel,
    IReadOnlySet<string>? FasterIdle = null,
    IReadOnlyCollection<Guid>? HeldLoras = null,
    IReadOnlyDictionary<string, IReadOnlySet<Guid>>? LoraHolders = null)
{
    public Pingvas.Core.Scheduling.WorkerView View => new(Models, LoadedModel, FasterIdle, HeldLoras, LoraHolders);
}
