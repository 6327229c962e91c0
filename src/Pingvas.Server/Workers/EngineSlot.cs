using Pingvas.Engines;

namespace Pingvas.Server.Workers;

/// <summary>
/// One engine instance as its workers see it: whether it is healthy (its last refresh succeeded and
/// no run has found it gone since) and the models it advertises. Workers of an unhealthy engine
/// claim nothing; they wait for <see cref="RecoveredAsync"/>.
/// </summary>
public sealed class EngineSlot(IImageEngine engine)
{
    private readonly Lock gate = new();
    private TaskCompletionSource recovered = NewSignal();
    private IReadOnlyCollection<string> models = [];
    private bool healthy;

    /// <summary>Released when a run marks the engine unhealthy, so the refresh loop retries soon.</summary>
    public SemaphoreSlim RefreshNeeded { get; } = new(0, 1);

    public IImageEngine Engine => engine;

    public bool Healthy
    {
        get
        {
            lock (gate)
            {
                return healthy;
            }
        }
    }

    /// <summary>What its workers advertise and claim for: the engine's models as of its last refresh (minus, for the procedural engine, what GPU workers serve).</summary>
    public IReadOnlyCollection<string> Models
    {
        get
        {
            lock (gate)
            {
                return models;
            }
        }
    }

    public void Refreshed(IReadOnlyCollection<string> advertised)
    {
        lock (gate)
        {
            models = advertised;
            healthy = true;
            recovered.TrySetResult();
        }
    }

    /// <summary>True when this changed the state (it was healthy).</summary>
    public bool MarkUnhealthy()
    {
        lock (gate)
        {
            if (!healthy)
            {
                return false;
            }

            healthy = false;
            recovered = NewSignal();
        }

        if (RefreshNeeded.CurrentCount == 0)
        {
            try
            {
                RefreshNeeded.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }

        return true;
    }

    /// <summary>Completes when the engine is healthy (at once if it is now).</summary>
    public Task RecoveredAsync(CancellationToken ct)
    {
        lock (gate)
        {
            return healthy ? Task.CompletedTask : recovered.Task.WaitAsync(ct);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
