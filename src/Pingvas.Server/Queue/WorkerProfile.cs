namespace Pingvas.Server.Queue;

/// <summary>
/// A worker as a claim sees it: its id (the lease's fencing name), the GPU class it runs on, the
/// catalog models it can serve, and the model it has loaded (that of its last job; null at start).
/// </summary>
public sealed record WorkerProfile(string WorkerId, string GpuClass, IReadOnlyCollection<string> Models, string? LoadedModel);
