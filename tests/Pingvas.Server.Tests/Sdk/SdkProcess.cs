using System.Diagnostics;
using System.Text;

namespace Pingvas.Server.Tests.Sdk;

/// <summary>What a child process did: its exit code (-1 when killed at the timeout) and its stdout and stderr, interleaved.</summary>
public sealed record SdkProcessResult(int ExitCode, string Output, bool TimedOut);

/// <summary>Runs an SDK's own test suite as a child process, bounded by a timeout (the whole process tree is killed then).</summary>
public static class SdkProcess
{
    public static async Task<SdkProcessResult> RunAsync(
        string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var deadline = new CancellationTokenSource(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
        }

        // Without a timeout this also waits until the redirected output has been read to its end.
        process.WaitForExit();
        lock (output)
        {
            return new SdkProcessResult(timedOut ? -1 : process.ExitCode, output.ToString(), timedOut);
        }

        void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    /// <summary>A folder of the repository, found above the test binaries.</summary>
    public static string RepositoryFolder(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"Could not find {relative} above {AppContext.BaseDirectory}.");
    }
}
