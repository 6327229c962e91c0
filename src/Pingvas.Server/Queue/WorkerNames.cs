using System.Security.Cryptography;

namespace Pingvas.Server.Queue;

/// <summary>
/// Worker ids are <c>machine:pid:instance:loop</c>, numbered across all of the process's engines
/// (the registry records which engine each loop drives); <see cref="Process"/> is the prefix. The random instance part keeps them unique
/// when containers share a hostname and all run as PID 1; machine and pid let a process starting
/// up tell a job left running by a dead process of its own machine from one a live process renders.
/// </summary>
public static class WorkerNames
{
    /// <summary>This process's instance id, random per start.</summary>
    public static readonly string Instance = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>This process in the worker registry: <c>machine:pid:instance</c>.</summary>
    public static readonly string Process = $"{Environment.MachineName}:{Environment.ProcessId}:{Instance}";

    public static string For(int loop) => $"{Process}:{loop}";

    /// <summary>
    /// True when the worker ran on this machine in a process that no longer exists: its pid is gone,
    /// or it is our own pid in an earlier instance (a container restarted as PID 1). With several
    /// containers sharing one hostname this can misjudge another container's live worker; that
    /// worker is then fenced off at its next heartbeat and its job runs again, charged once.
    /// </summary>
    public static bool RanHereAndIsGone(string? workerId)
    {
        var parts = workerId?.Split(':');
        if (parts is not { Length: 4 } || parts[0] != Environment.MachineName || !int.TryParse(parts[1], out var pid))
        {
            return false;
        }

        if (pid == Environment.ProcessId)
        {
            return parts[2] != Instance;
        }

        try
        {
            // A live process with that id (possibly a reused one) is left alone: the lease decides.
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
