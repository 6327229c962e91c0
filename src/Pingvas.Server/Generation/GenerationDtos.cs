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
    int? BatchSize,
    string? Kind = null,
    Guid? InitImageId = null,
    Guid? MaskImageId = null,
    double? Strength = null,
    Guid? ImageId = null,
    int? Scale = null,
    IReadOnlyList<LoraUse>? Loras = null,
    IReadOnlyList<ControlUse>? Control = null,
    ReferenceUse? Reference = null,
    Guid? WorkflowId = null,
    System.Text.Json.JsonElement? Workflow = null,
    System.Text.Json.JsonElement? Graph = null,
    IReadOnlyDictionary<string, System.Text.Json.JsonElement>? Inputs = null,
    IReadOnlyList<string>? Tags = null,
    Guid? SourceImageId = null,
    string? Webhook = null,
    IReadOnlyList<string>? WebhookEvents = null);

/// <summary>A LoRA of the owner applied with a weight (Pro and above; the model's family must match the LoRA's).</summary>
public sealed record LoraUse(Guid Id, double Weight);

/// <summary>
/// A ControlNet image (Pro and above): the owner's upload or gallery image, preprocessed on the node
/// as <paramref name="Type"/> (<c>canny</c>, <c>depth</c>, <c>pose</c>, <c>lineart</c>). Steps are denoise
/// steps: the control acts from <paramref name="BeginStep"/> (default 0) to <paramref name="EndStep"/> (default all).
/// </summary>
public sealed record ControlUse(Guid ImageId, string Type, double? Weight = null, int? BeginStep = null, int? EndStep = null);

/// <summary>An IP-Adapter reference image (Pro and above): the owner's upload or gallery image.</summary>
public sealed record ReferenceUse(Guid ImageId, double? Weight = null);

/// <summary>What <c>POST /generations/cancel-queued</c> did: the jobs it cancelled and the credits their holds gave back.</summary>
public sealed record CancelQueuedResponse(int Cancelled, IReadOnlyList<Guid> Ids, int RefundedCredits);

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

    /// <summary><c>txt2img</c>, <c>img2img</c>, <c>inpaint</c> or <c>upscale</c>.</summary>
    public string Kind { get; init; } = "txt2img";

    /// <summary>Img2img and inpaint: the upload or gallery image it starts from.</summary>
    public Guid? InitImageId { get; init; }

    /// <summary>Inpaint: the mask (an upload or a gallery image).</summary>
    public Guid? MaskImageId { get; init; }

    /// <summary>Img2img and inpaint.</summary>
    public double? Strength { get; init; }

    /// <summary>Upscale: the upload or gallery image it enlarges.</summary>
    public Guid? ImageId { get; init; }

    /// <summary>Upscale: 2 or 4.</summary>
    public int? Scale { get; init; }

    /// <summary>The LoRAs applied, with their weights; empty when none.</summary>
    public IReadOnlyList<LoraUse> Loras { get; init; } = [];

    /// <summary>The control images, with every default filled in; empty when none.</summary>
    public IReadOnlyList<ControlUse> Control { get; init; } = [];

    public ReferenceUse? Reference { get; init; }

    /// <summary>Workflow jobs (<see cref="Kind"/> <c>workflow</c>): the saved or shared workflow run, if any.</summary>
    public Guid? WorkflowId { get; init; }
}
