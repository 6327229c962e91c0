namespace Pingvas.Server.Storage;

/// <summary>Settings of <see cref="OrphanObjectSweeper"/> (section <c>Storage</c>, environment <c>Storage__*</c>).</summary>
public sealed class OrphanSweepOptions
{
    public const string Section = "Storage";

    /// <summary>
    /// An object without an image row is deleted once it is this old. It must be far longer than a job
    /// takes from storing its images to committing their rows, or a sweep could take live images.
    /// </summary>
    public double OrphanMinAgeHours { get; set; } = 24;

    /// <summary>Time between sweeps in each serving process; 0 switches the sweep off.</summary>
    public double SweepIntervalMinutes { get; set; } = 360;

    public TimeSpan MinAge => TimeSpan.FromHours(OrphanMinAgeHours);

    public TimeSpan Interval => TimeSpan.FromMinutes(SweepIntervalMinutes);

    /// <summary>Throws with the setting to fix when these options cannot work.</summary>
    public OrphanSweepOptions Validate()
    {
        if (!(OrphanMinAgeHours >= 1))
        {
            throw new InvalidOperationException($"Storage__OrphanMinAgeHours must be at least 1, not {OrphanMinAgeHours}.");
        }

        if (!(SweepIntervalMinutes >= 0))
        {
            throw new InvalidOperationException($"Storage__SweepIntervalMinutes must be 0 (off) or more, not {SweepIntervalMinutes}.");
        }

        return this;
    }
}
