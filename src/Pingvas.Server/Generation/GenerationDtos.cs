namespace Pingvas.Server.Generation;

public sealed record GenerationRequest(
    string? Prompt,
    string? NegativePrompt,
    string? Model,
    int? Width,
    int? Height,
    int? Steps,
    double? CfgScale,
    string? Scheduler,
    long? Seed,
    int? BatchSize);

public sealed record ProgressDto(int Step, int TotalSteps, int Percent);

public sealed record ImageRefDto(Guid Id, string Url, string ThumbnailUrl, string Thumbnail512Url, int Width, int Height, long Seed);

public sealed record ErrorDto(string Code, string Message);

/// <summary>A generation as clients see it: the REST resource and the payload of realtime events.</summary>
public sealed record GenerationDto(
    Guid Id,
    string Status,
    string Model,
    string Prompt,
    string? NegativePrompt,
    int Width,
    int Height,
    int Steps,
    double CfgScale,
    string Scheduler,
    long Seed,
    int BatchSize,
    int? QueuePosition,
    ProgressDto Progress,
    IReadOnlyList<ImageRefDto> Images,
    double? GpuSeconds,
    int ReservedCredits,
    int? CreditsCharged,
    string? Engine,
    ErrorDto? Error,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? FinishedAt)
{
    /// <summary>A small WebP data URL of the current state; only on live "running" events.</summary>
    public string? Preview { get; init; }

    /// <summary>The owner's spendable credits after this event; on events that moved credits.</summary>
    public int? Balance { get; init; }
}
