namespace Pingvas.Core.Scheduling;

/// <summary>
/// Waiting raises a job's priority by one level per <see cref="StepSeconds"/>, up to
/// <see cref="MaxPriority"/>, so a Free job is never starved by a stream of paid ones.
/// </summary>
public sealed record AgingPolicy(double StepSeconds = 60, int MaxPriority = 10)
{
    public static AgingPolicy Default { get; } = new();
}
