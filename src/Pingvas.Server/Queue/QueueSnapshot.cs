using Pingvas.Core.Scheduling;

namespace Pingvas.Server.Queue;

/// <summary>
/// The queue in start order as of a recent moment, for the position a submit reports. Reading and
/// sorting the whole queue on every submit would make each submit cost more as the queue grows,
/// so one read serves all submits for up to <see cref="MaxAge"/>; a stale copy is served while a
/// fresh one loads in the background. Exact positions come from <c>GET /generations/{id}</c>.
/// </summary>
public sealed class QueueSnapshot(IServiceScopeFactory scopes, TimeProvider time, ILogger<QueueSnapshot> logger)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim loading = new(1, 1);
    private Sorted? current;

    /// <summary>The 1-based position <paramref name="job"/> would take in the queue, as of the snapshot.</summary>
    /// <remarks>
    /// The first call of the process reads through the caller's <paramref name="reader"/> (its
    /// connection and transaction: waiting for a second pooled connection while holding one could
    /// exhaust the pool); later calls never wait, and a stale copy is refreshed in the background.
    /// </remarks>
    public async ValueTask<int> PositionOfAsync(QueueCandidate job, QueueReader reader, CancellationToken ct)
    {
        var snapshot = current;
        if (snapshot is null)
        {
            snapshot = await RefreshAsync(reader, ct);
        }
        else if (time.GetElapsedTime(snapshot.LoadedAt) >= MaxAge && loading.CurrentCount > 0)
        {
            _ = Task.Run(RefreshInBackgroundAsync, CancellationToken.None);
        }

        // Binary search counts the jobs strictly ahead, so the job itself may be in the snapshot.
        return QueueOrder.PositionAmong(snapshot.Jobs, job, snapshot.Now, snapshot.Aging);
    }

    private async Task RefreshInBackgroundAsync()
    {
        await using var scope = scopes.CreateAsyncScope();
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
            return current = new Sorted(jobs, now, reader.Aging, time.GetTimestamp());
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

    private sealed record Sorted(IReadOnlyList<QueueCandidate> Jobs, DateTime Now, AgingPolicy Aging, long LoadedAt);
}
