namespace Pingvas.Engines.Relay;

public enum BreakerState
{
    Closed,
    Open,
    HalfOpen,
}

/// <summary>
/// Stops calling a provider that keeps failing: after <c>failureThreshold</c> consecutive failures
/// it opens; after <c>cooldown</c> one probe call may go out (half-open); the probe's success closes
/// it, its failure opens it again for another cool-down. Shared by a provider's worker loops.
/// </summary>
public sealed class CircuitBreaker(int failureThreshold, TimeSpan cooldown, TimeProvider time)
{
    private readonly Lock gate = new();
    private int failures;
    private DateTimeOffset openedAt;
    private bool probing;

    public BreakerState State
    {
        get
        {
            lock (gate)
            {
                return Current();
            }
        }
    }

    /// <summary>True when a call may go out now; in half-open, only the first caller gets the probe.</summary>
    public bool TryEnter()
    {
        lock (gate)
        {
            switch (Current())
            {
                case BreakerState.Closed:
                    return true;
                case BreakerState.HalfOpen when !probing:
                    probing = true;
                    return true;
                default:
                    return false;
            }
        }
    }

    public void RecordSuccess()
    {
        lock (gate)
        {
            failures = 0;
            probing = false;
        }
    }

    public void RecordFailure()
    {
        lock (gate)
        {
            var wasProbe = probing;
            probing = false;
            failures++;
            if (wasProbe || failures >= failureThreshold)
            {
                // A failed probe restarts the cool-down; so does the failure that trips the breaker.
                failures = Math.Max(failures, failureThreshold);
                openedAt = time.GetUtcNow();
            }
        }
    }

    /// <summary>A call that ended without a verdict on the provider (cancelled): frees the probe slot.</summary>
    public void RecordAbandoned()
    {
        lock (gate)
        {
            probing = false;
        }
    }

    private BreakerState Current()
    {
        if (failures < failureThreshold)
        {
            return BreakerState.Closed;
        }

        return time.GetUtcNow() - openedAt >= cooldown ? BreakerState.HalfOpen : BreakerState.Open;
    }
}
