namespace Pingvas.Testing.InvokeAi;

/// <summary>
/// How the InvokeAI test node starts. Every value can be changed later with
/// <see cref="InvokeAiTestNode.ConfigureAsync"/>; <see cref="Models"/> null means InvokeAI's starter models.
/// </summary>
public sealed record InvokeAiTestNodeSettings
{
    /// <summary>Bearer token required on every route but <c>/api/v1/app/version</c> and in the socket handshake; null: no auth (single-user InvokeAI).</summary>
    public string? Token { get; init; }

    /// <summary>Wall time of one denoise step.</summary>
    public int StepDelayMs { get; init; } = 10;

    /// <summary>Time between <c>model_load_started</c> and <c>model_load_complete</c> when the main model changes.</summary>
    public int ModelLoadDelayMs { get; init; }

    /// <summary>Items run at once (InvokeAI 6.14: one worker per GPU).</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>Pending items allowed per queue; an enqueue beyond it is truncated (<c>enqueued &lt; requested</c>).</summary>
    public int MaxQueueSize { get; init; } = 10000;

    /// <summary>How long a <see cref="InvokeAiTestNode.RestartAsync"/> refuses connections before it listens again.</summary>
    public int RestartDowntimeMs { get; init; } = 300;

    /// <summary>False: sockets connect and subscribe but receive no events (to exercise REST polling).</summary>
    public bool EmitEvents { get; init; } = true;

    /// <summary>The installed models; null: the starter models (see tests/invokeai-node/README.md).</summary>
    public IReadOnlyList<InvokeAiModelConfig>? Models { get; init; }

    /// <summary>How long a model install waits after its download (status <c>downloading</c>, cancellable) before it is probed and registered.</summary>
    public int InstallDelayMs { get; init; }

    /// <summary>InvokeAI's <c>allow_private_download_urls</c>. InvokeAI defaults to false; true here because tests serve files on loopback.</summary>
    public bool AllowPrivateDownloadUrls { get; init; } = true;
}

/// <summary>A partial change of the node's settings: null leaves a value as it is.</summary>
public sealed record InvokeAiTestNodeOptions
{
    public string? Token { get; init; }

    /// <summary>True removes the token (auth off); <see cref="Token"/> is then ignored.</summary>
    public bool ClearToken { get; init; }

    public int? StepDelayMs { get; init; }

    public int? ModelLoadDelayMs { get; init; }

    public int? Concurrency { get; init; }

    public int? MaxQueueSize { get; init; }

    public int? RestartDowntimeMs { get; init; }

    public bool? EmitEvents { get; init; }

    public int? InstallDelayMs { get; init; }

    public bool? AllowPrivateDownloadUrls { get; init; }
}
