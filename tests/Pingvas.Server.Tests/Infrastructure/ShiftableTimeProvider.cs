namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>The system clock plus an adjustable offset: tests jump ahead a month while timers keep running.</summary>
public sealed class ShiftableTimeProvider : TimeProvider
{
    private long offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
