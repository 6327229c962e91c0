using Microsoft.Extensions.Options;

using Pingvas.Core.Scheduling;
using Pingvas.Server.Data;
using Pingvas.Server.Jobs;

namespace Pingvas.Server.Queue;

/// <summary>
/// The queue in start order as of a recent moment, for the positions the API reports. Reading and
/// sorting the whole queue per request would make a submit or a poll cost more as the queue grows,
/// so one read serves every request for up to <c>Queue:SnapshotMilliseconds</c> (1 s); a stale copy
/// is served while a fresh one loads in the background. Positions are therefore estimates: exact as
/// of the snapshot, which may miss the jobs submitted or started since.
/// </summary>
public sealed class QueueSnapshot(IServiceScopeFactory scopes, IOptions<QueueOptions> options, TimeProvider time, ILogger<QueueSnapshot> logger)
{
    private readonly SemaphoreSlim loading = new(1, 1);
    private Sorted? current;

    private TimeSpan MaxAge => TimeSpan.FromMilliseconds(options.Value.SnapshotMilliseconds);

    /// <summary>The 1-based position a new job would take in the queue, as of the snapshot.</summary>
    /// <remarks>
    /// The first call of the process reads through the caller's <paramref name="reader"/> (its
    /// connection and transaction: waiting for a second pooled connection while holding one could
    /// exhaust the pool); later calls never wait, and a stale copy is refreshed in the background.
    /// </remarks>
    public async ValueTask<int> PositionOfAsync(QueueCandidate job, QueueReader reader, CancellationToken ct)
    {
        var snapshot = await CurrentAsync(reader, ct);

        // The first snapshot is read inside the submit's transaction, so it may hold the new job itself.
        return snapshot.Index.TryGetValue(job.JobId, out var index)
            ? index + 1
            : QueueOrder.PositionAmong(snapshot.Jobs, job, snapshot.Now, snapshot.Aging);
    }

    /// <summary>The 1-based position of a queued job: its place in the snapshot, or where it would go if submitted since.</summary>
    public async ValueTask<int> PositionOfAsync(Job job, QueueReader reader, CancellationToken ct)
    {
        var snapshot = await CurrentAsync(reader, ct);
        if (snapshot.Index.TryGetValue(job.Id, out var index))
        {
            return index + 1;
        }

        // Newer than the snapshot: behind every job of its owner that the snapshot holds.
        var owners = snapshot.Jobs.Where(j => j.UserId == job.UserId).ToList();
        var candidate = new QueueCandidate(job.Id, job.UserId, job.Priority, job.CreatedAt,
            owners.FirstOrDefault()?.UserLastServedAt, owners.Count, 0, null);
        return QueueOrder.PositionAmong(snapshot.Jobs, candidate, snapshot.Now, snapshot.Aging);
    }

    private async ValueTask<Sorted> CurrentAsync(QueueReader reader, CancellationToken ct)
    {
        var snapshot = current;
        if (snapshot is null)
        {
            return await RefreshAsync(reader, ct);
        }

        if (time.GetElapsedTime(snapshot.LoadedAt) >= MaxAge && loading.CurrentCount > 0)
        {
            // Not on the request's execution context: the refresh outlives it.
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(RefreshInBackgroundAsync, CancellationToken.None);
            }
        }

        return snapshot;
    }

    private async Task RefreshInBackgroundAsync()
    {
        await using var scope = scopes.CreateSystemScope();
        await RefreshAsync(scope.ServiceProvider.GetRequiredService<QueueReader>(), CancellationToken.None);
    }

    private async Task<Sorted> RefreshAsync(QueueReader reader, CancellationToken ct)
    {
        await loading.WaitAsync(ct);
        try
        {
            if (current is { } fresh && time.GetElapsedTime(fresh.LoadedAt) < MaxAge)
            {
                return fresh;
            }

            var now = reader.Now;
            var jobs = QueueOrder.Sort(await reader.CandidatesAsync(ct), now, reader.Aging);
            var index = new Dictionary<Guid, int>(jobs.Count);
            for (var i = 0; i < jobs.Count; i++)
            {
                index[jobs[i].JobId] = i;
            }

            return current = new Sorted(jobs, index, now, reader.Aging, time.GetTimestamp());
        }
        catch (Exception ex) when (current is { } stale)
        {
            // A background refresh failed (database outage): keep the stale copy, try again later.
            logger.LogWarning(ex, "Could not refresh the queue snapshot");
            return stale;
        }
        finally
        {
            loading.Release();
        }
    }

    private sealed record Sorted(IReadOnlyList<QueueCandidate> Jobs, IReadOnlyDictionary<Guid, int> Index, DateTime Now, AgingPolicy Aging, long LoadedAt);
}
