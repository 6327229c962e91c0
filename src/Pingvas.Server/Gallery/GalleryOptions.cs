namespace Pingvas.Server.Gallery;

/// <summary>Settings of the trash purge and the search (section <c>Gallery</c>, environment <c>Gallery__*</c>). How long the trash keeps an image is the product's 30 days (<see cref="ImageDto.TrashKeeps"/>), which clients are told as <c>purgeAt</c>.</summary>
public sealed class GalleryOptions
{
    public const string Section = "Gallery";

    /// <summary>Time between purges in each serving process; 0 switches the purge off.</summary>
    public double PurgeIntervalMinutes { get; set; } = 60;

    public TimeSpan PurgeInterval => TimeSpan.FromMinutes(PurgeIntervalMinutes);

    /// <summary>PostgreSQL search: how many rows the first ordered walk reads before asking the trigram index (<see cref="ImageSearch"/>).</summary>
    public int SearchWindowRows { get; set; } = 10_000;

    /// <summary>PostgreSQL search: the most trigram candidates read back at once; beyond, the walk goes on.</summary>
    public int SearchMaxCandidates { get; set; } = 3000;

    /// <summary>Throws with the setting to fix when these options cannot work.</summary>
    public GalleryOptions Validate()
    {
        if (!(PurgeIntervalMinutes >= 0))
        {
            throw new InvalidOperationException($"Gallery__PurgeIntervalMinutes must be 0 (off) or more, not {PurgeIntervalMinutes}.");
        }

        if (SearchWindowRows < 1 || SearchMaxCandidates < 1)
        {
            throw new InvalidOperationException("Gallery__SearchWindowRows and Gallery__SearchMaxCandidates must be 1 or more.");
        }

        return this;
    }
}
