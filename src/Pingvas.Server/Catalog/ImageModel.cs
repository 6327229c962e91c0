using Pingvas.Core.Plans;

namespace Pingvas.Server.Catalog;

/// <summary>A generation model with its plan gate and cost profile. Seeded by migration.</summary>
public sealed class ImageModel
{
    public required string Id { get; set; }

    public required string Name { get; set; }

    /// <summary><c>local</c> (our GPU workers) or <c>external</c> (an API relay).</summary>
    public required string Kind { get; set; }

    /// <summary>Family shown to users: sd1, sdxl, flux, external.</summary>
    public required string Family { get; set; }

    public required string MinPlanId { get; set; }

    public double BaseSeconds { get; set; }

    public double SecondsPerStepMegapixel { get; set; }

    public int CreditsPerImage { get; set; }

    public int DefaultSteps { get; set; }

    public int DefaultSide { get; set; }

    public bool Enabled { get; set; }

    public required string Description { get; set; }

    public ModelProfile ToProfile(int minPlanRank) =>
        new(Id, Kind == "external" ? ModelKind.External : ModelKind.Local, minPlanRank, BaseSeconds, SecondsPerStepMegapixel, CreditsPerImage);
}
