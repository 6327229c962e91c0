using System.Diagnostics;

namespace Pingvas.Server.Queue;

/// <summary>
/// Worker ids are <c>machine:pid:loop</c>, so a process starting up can tell a job left running
/// by a dead process on its own machine from one that another live process is rendering.
/// </summary>
public static class WorkerNames
{
    public static string For(int loop) => $"{Environment.MachineName}:{Environment.ProcessId}:{loop}";

    /// <summary>True when the worker ran on this machine in a process that no longer exists.</summary>
    public static bool RanHereAndIsGone(string? workerId)
    {
        var parts = workerId?.Split(':');
        if (parts is not { Length: 3 } || parts[0] != Environment.MachineName || !int.TryParse(parts[1], out var pid) || pid == Environment.ProcessId)
        {
            return false;
        }

        try
        {
            // A live process with that id (possibly a reused one) is left alone: the lease decides.
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
