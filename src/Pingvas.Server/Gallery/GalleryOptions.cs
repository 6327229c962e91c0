namespace Pingvas.Server.Gallery;

/// <summary>Settings of the trash purge (section <c>Gallery</c>, environment <c>Gallery__*</c>). How long the trash keeps an image is the product's 30 days (<see cref="ImageDto.TrashKeeps"/>), which clients are told as <c>purgeAt</c>.</summary>
public sealed class GalleryOptions
{
    public const string Section = "Gallery";

    /// <summary>Time between purges in each serving process; 0 switches the purge off.</summary>
    public double PurgeIntervalMinutes { get; set; } = 60;

    public TimeSpan PurgeInterval => TimeSpan.FromMinutes(PurgeIntervalMinutes);

    /// <summary>Throws with the setting to fix when these options cannot work.</summary>
    public GalleryOptions Validate()
    {
        if (!(PurgeIntervalMinutes >= 0))
        {
            throw new InvalidOperationException($"Gallery__PurgeIntervalMinutes must be 0 (off) or more, not {PurgeIntervalMinutes}.");
        }

        return this;
    }
}
