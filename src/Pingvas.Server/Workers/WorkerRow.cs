namespace Pingvas.Server.Workers;

/// <summary>
/// One worker loop of a running process in the registry (table <c>workers</c>): where it runs,
/// what it can serve, what it is doing. System data: written by the worker's own process, read by
/// every API process (model availability) and the admin list.
/// </summary>
public sealed class WorkerRow
{
    /// <summary>The worker id jobs record (<c>machine:pid:instance:loop</c>, Queue/WorkerNames).</summary>
    public required string Id { get; set; }

    /// <summary>The process it runs in (<c>machine:pid:instance</c>): heartbeats and the clean stop go by process.</summary>
    public required string Process { get; set; }

    /// <summary>The process's role: <c>serve</c> or <c>worker</c>.</summary>
    public required string Role { get; set; }

    public required string Engine { get; set; }

    public required string Instance { get; set; }

    public required string GpuClass { get; set; }

    /// <summary>The catalog model ids it serves, comma-separated (see <see cref="WorkerModels"/>).</summary>
    public required string Models { get; set; }

    /// <summary>The users' LoRAs its engine holds (see <see cref="WorkerLoras"/>); null when none.</summary>
    public string? Loras { get; set; }

    /// <summary>The model of the last job it ran; null before its first job.</summary>
    public string? LoadedModel { get; set; }

    /// <summary>One of <see cref="WorkerStates"/>.</summary>
    public required string State { get; set; }

    public Guid? CurrentJobId { get; set; }

    public long JobsDone { get; set; }

    /// <summary>Milliseconds spent running jobs that have finished.</summary>
    public long BusyMs { get; set; }

    public DateTime StartedAt { get; set; }

    public DateTime HeartbeatAt { get; set; }
}

public static class WorkerStates
{
    public const string Idle = "idle";
    public const string Busy = "busy";

    /// <summary>Its engine's last refresh failed, or a run found the node gone: it claims nothing until a refresh succeeds.</summary>
    public const string Unhealthy = "unhealthy";

    /// <summary>Its process is shutting down: it claims nothing more.</summary>
    public const string Stopping = "stopping";

    /// <summary>States in which a worker will take new jobs, so its models count as available.</summary>
    public static bool Serving(string state) => state is Idle or Busy;
}

/// <summary>The models column: catalog ids (which never contain a comma) joined by commas.</summary>
public static class WorkerModels
{
    public static string Join(IEnumerable<string> models) => string.Join(',', models.Order(StringComparer.Ordinal));

    public static IReadOnlyList<string> Split(string models) => models.Split(',', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// The loras column: LoRA ids (32 hex digits each) joined by commas, sorted, at most
/// <see cref="MaxReported"/> of them so a row stays small whatever a node's cache holds.
/// </summary>
public static class WorkerLoras
{
    /// <summary>A node's LoRA cache rarely holds more; beyond it a claim simply does not know (about 2 KB of text).</summary>
    public const int MaxReported = 64;

    public static string? Join(IEnumerable<Guid> loras)
    {
        var ids = loras.Select(l => l.ToString("N")).Order(StringComparer.Ordinal).Take(MaxReported).ToList();
        return ids.Count == 0 ? null : string.Join(',', ids);
    }

    public static IReadOnlyList<Guid> Split(string? loras) =>
        loras is null ? [] : [.. loras.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(l => Guid.TryParseExact(l, "N", out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty)];
}
