namespace Pingvas.Server.Gallery;

/// <summary>Settings of <see cref="RetentionSweep"/> (section <c>Gallery</c>, environment <c>Gallery__*</c>).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Gallery";

    /// <summary>Time between retention sweeps in each serving process; 0 switches the sweep off.</summary>
    public double RetentionIntervalMinutes { get; set; } = 60;

    public TimeSpan Interval => TimeSpan.FromMinutes(RetentionIntervalMinutes);

    /// <summary>Throws with the setting to fix when these options cannot work.</summary>
    public RetentionOptions Validate() =>
        RetentionIntervalMinutes >= 0
            ? this
            : throw new InvalidOperationException($"Gallery__RetentionIntervalMinutes must be 0 (off) or more, not {RetentionIntervalMinutes}.");
}
