namespace Pingvas.Sdk;

/// <summary>The statuses of a generation; the last three are final.</summary>
public static class GenerationStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsTerminal(string? status) => status is Succeeded or Failed or Cancelled;
}

/// <summary>A generation as <c>GET /generations/{id}</c> answers it, and the payload of its events.</summary>
public sealed record Generation
{
    public Guid Id { get; init; }

    /// <summary>One of <see cref="GenerationStatus"/>.</summary>
    public string Status { get; init; } = "";

    public string Kind { get; init; } = "txt2img";

    public string Model { get; init; } = "";

    public string Prompt { get; init; } = "";

    public string? NegativePrompt { get; init; }

    public int Width { get; init; }

    public int Height { get; init; }

    public int Steps { get; init; }

    public double CfgScale { get; init; }

    public string Scheduler { get; init; } = "";

    public long Seed { get; init; }

    public int BatchSize { get; init; }

    /// <summary>An estimate of the job's place in the queue while it waits.</summary>
    public int? QueuePosition { get; init; }

    public GenerationProgress Progress { get; init; } = new(0, 0, 0);

    /// <summary>The outputs, once succeeded.</summary>
    public IReadOnlyList<GeneratedImage> Images { get; init; } = [];

    public double? GpuSeconds { get; init; }

    public int ReservedCredits { get; init; }

    public int? CreditsCharged { get; init; }

    public string? Engine { get; init; }

    /// <summary>Why it failed (<c>engine_error</c>, <c>timed_out</c>, …), when it did.</summary>
    public GenerationError? Error { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public Guid? InitImageId { get; init; }

    public Guid? MaskImageId { get; init; }

    public double? Strength { get; init; }

    public Guid? ImageId { get; init; }

    public int? Scale { get; init; }

    public Guid? WorkflowId { get; init; }

    /// <summary>Only on live <c>running</c> events: a small WebP <c>data:</c> URL of the current state.</summary>
    public string? Preview { get; init; }

    /// <summary>Only on events that moved credits: the owner's spendable credits after it.</summary>
    public int? Balance { get; init; }

    public bool IsTerminal => GenerationStatus.IsTerminal(Status);
}

public sealed record GenerationProgress(int Step, int TotalSteps, int Percent);

/// <summary>An output image of a generation; <see cref="Url"/> is signed and valid for an hour.</summary>
public sealed record GeneratedImage(Guid Id, string Url, string ThumbnailUrl, string Thumbnail512Url, int Width, int Height, long Seed);

public sealed record GenerationError(string Code, string Message);

/// <summary>What <c>POST /generations/estimate</c> answers: the credits a submit would reserve, and the problem it would meet.</summary>
public sealed record GenerationEstimate(int? Credits, bool Allowed, System.Text.Json.JsonElement? Problem);
