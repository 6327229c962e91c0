namespace Pingvas.Sdk;

/// <summary>
/// A model of the catalog (<c>GET /models</c>): <see cref="Allowed"/> says whether your plan includes it,
/// <see cref="Available"/> whether a live worker serves it now.
/// </summary>
public sealed record ModelInfo(
    string Id, string Name, string Kind, string Family, string MinPlan, bool Allowed, bool Available, string? Engine,
    int DefaultSteps, int DefaultSide, int? CreditsPerImage, int TypicalCredits, string Description);
