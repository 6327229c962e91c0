namespace Pingvas.Server.Gallery;

/// <summary>Settings of the trash (section <c>Gallery</c>, environment <c>Gallery__*</c>).</summary>
public sealed class GalleryOptions
{
    public const string Section = "Gallery";

    /// <summary>Days a trashed image stays restorable before <see cref="TrashPurge"/> removes it with its objects.</summary>
    public double TrashDays { get; set; } = 30;

    /// <summary>Time between purges in each serving process; 0 switches the purge off.</summary>
    public double PurgeIntervalMinutes { get; set; } = 60;

    public TimeSpan TrashKeeps => TimeSpan.FromDays(TrashDays);

    public TimeSpan PurgeInterval => TimeSpan.FromMinutes(PurgeIntervalMinutes);

    /// <summary>Throws with the setting to fix when these options cannot work.</summary>
    public GalleryOptions Validate()
    {
        if (!(TrashDays >= 0))
        {
            throw new InvalidOperationException($"Gallery__TrashDays must be 0 or more, not {TrashDays}.");
        }

        if (!(PurgeIntervalMinutes >= 0))
        {
            throw new InvalidOperationException($"Gallery__PurgeIntervalMinutes must be 0 (off) or more, not {PurgeIntervalMinutes}.");
        }

        return this;
    }
}
