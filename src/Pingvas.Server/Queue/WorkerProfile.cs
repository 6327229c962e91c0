namespace Pingvas.Server.Queue;

/// <summary>
/// What a worker brings to a claim: its id (recorded on the job and fencing its writes), its GPU
/// class, the catalog models it serves now, and the model it has loaded (the last job's; null at start).
/// </summary>
public sealed record WorkerProfile(string WorkerId, string GpuClass, IReadOnlyCollection<string> Models, string? LoadedModel);
