namespace Pingvas.Core.Plans;

public enum ModelKind
{
    /// <summary>Runs on our GPU workers; billed by measured GPU-seconds.</summary>
    Local,

    /// <summary>Relayed to an external API; billed a fixed number of credits per image.</summary>
    External,
}

/// <summary>
/// A model's entitlement and cost profile. Local models are estimated as
/// <c>(BaseSeconds + SecondsPerStepMegapixel × steps × megapixels) × batch</c>.
/// </summary>
public sealed record ModelProfile(
    string Id,
    ModelKind Kind,
    int MinPlanRank,
    double BaseSeconds,
    double SecondsPerStepMegapixel,
    int CreditsPerImage);
