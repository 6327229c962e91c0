using System.Collections.Concurrent;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>
/// The last warnings and errors a test server logged, kept in memory so that a test that times out
/// can say what the server was complaining about (the console is not captured per test).
/// </summary>
public sealed class RecentProblems : ILoggerProvider
{
    private const int Keep = 40;
    private readonly ConcurrentQueue<string> lines = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public IReadOnlyList<string> Lines => [.. lines];

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        lines.Enqueue(line);
        while (lines.Count > Keep && lines.TryDequeue(out _))
        {
        }
    }

    private sealed class Logger(RecentProblems owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                var text = formatter(state, exception);
                owner.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {(text.Length > 300 ? text[..300] : text)}{(exception is null ? "" : $" [{exception.GetType().Name}: {exception.Message}]")}");
            }
        }
    }
}

/// <summary>What a test that waited in vain prints: the job's row, its queue head, the workers, the server's recent problems.</summary>
public static class ServerDiagnostics
{
    public static async Task<string> DescribeJobAsync(this PingvasServer server, Guid jobId)
    {
        try
        {
            var job = await server.QueryAsync(db => db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId));
            var head = await server.QueryAsync(db => db.QueueHeads.AsNoTracking().Where(h => job != null && h.UserId == job.UserId).ToListAsync());
            var workers = await server.QueryAsync(db => db.Workers.AsNoTracking().ToListAsync());
            var running = await server.QueryAsync(db => db.Jobs.AsNoTracking().Where(j => j.Status == Jobs.JobStatus.Running).Select(j => new { j.Id, j.UserId, j.WorkerId, j.LeaseExpiresAt }).ToListAsync());
            return string.Join('\n',
            [
                $"now {DateTime.UtcNow:O}",
                job is null ? "job: none" : $"job: {job.Status} attempt {job.Attempt} failed {job.FailedAttempts} available {job.AvailableAt:O} worker {job.WorkerId} lease {job.LeaseExpiresAt:O}",
                .. head.Select(h => $"head: {h.ModelId} job {h.JobId} blocked {h.Blocked} available {h.AvailableAt:O} passed {h.PassedOverAt:O}"),
                .. workers.Select(w => $"worker: {w.Id} {w.GpuClass} {w.State} job {w.CurrentJobId} models {w.Models} beat {w.HeartbeatAt:O}"),
                .. running.Select(r => $"running: {r.Id} user {r.UserId} worker {r.WorkerId} lease {r.LeaseExpiresAt:O}"),
                .. server.Problems.Lines,
            ]);
        }
        catch (Exception ex)
        {
            return $"(could not describe: {ex.Message})";
        }
    }
}
