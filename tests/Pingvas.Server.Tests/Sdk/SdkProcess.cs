using System.Diagnostics;
using System.Text;

namespace Pingvas.Server.Tests.Sdk;

/// <summary>What a finished (or killed) SDK test run printed and how it ended.</summary>
public sealed record SdkRun(int ExitCode, bool TimedOut, string Output);

/// <summary>
/// Runs an SDK's own test suite as a child process against a test server, with the server's address
/// and keys in environment variables; bounded by a timeout after which the whole process tree is killed.
/// </summary>
public static class SdkProcess
{
    /// <summary>Runs <paramref name="fileName"/> in <paramref name="workingDirectory"/> and returns its combined stdout and stderr.</summary>
    public static async Task<SdkRun> RunAsync(
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
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"{fileName} did not start.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var limit = new CancellationTokenSource(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        // The parameterless wait also drains the redirected streams.
        process.WaitForExit();
        lock (output)
        {
            return new SdkRun(timedOut ? -1 : process.ExitCode, timedOut, output.ToString());
        }
    }

    /// <summary>The folder <paramref name="relative"/> (e.g. <c>sdk/python</c>) of the repository this test build came from.</summary>
    public static string Locate(string relative, string marker)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(Path.Combine(candidate, marker)))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"Could not find {relative}/{marker} above {AppContext.BaseDirectory}.");
    }

    private static void Append(StringBuilder output, string? line)
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
