namespace Pingvas.Sdk;

/// <summary>
/// The body of <c>POST /generations</c>. Only <see cref="Prompt"/> and <see cref="Model"/> are
/// required; whatever is left null takes the model's default (docs/api.md "Generations").
/// </summary>
public sealed record GenerationRequest
{
    public required string Prompt { get; init; }

    public required string Model { get; init; }

    public string? NegativePrompt { get; init; }

    public int? Width { get; init; }

    public int? Height { get; init; }

    public int? Steps { get; init; }

    public double? CfgScale { get; init; }

    public string? Scheduler { get; init; }

    public long? Seed { get; init; }

    public int? BatchSize { get; init; }

    /// <summary><c>txt2img</c> (default), <c>img2img</c>, <c>inpaint</c> or <c>upscale</c>.</summary>
    public string? Kind { get; init; }

    public Guid? InitImageId { get; init; }

    public Guid? MaskImageId { get; init; }

    public double? Strength { get; init; }

    public Guid? ImageId { get; init; }

    public int? Scale { get; init; }

    /// <summary>Tags given to every image of the job.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>A URL that receives this job's events, signed with the account's default webhook secret.</summary>
    public string? Webhook { get; init; }

    /// <summary>Which events go to <see cref="Webhook"/> (default: the three final ones).</summary>
    public IReadOnlyList<string>? WebhookEvents { get; init; }
}
