namespace Pingvas.Engines;

/// <summary>
/// An image engine: the procedural development renderer, one InvokeAI node, one external relay.
/// Each instance is a place jobs run: the worker pool starts <see cref="Concurrency"/> worker loops
/// on it, and records them in the worker registry with its <see cref="GpuClass"/> and <see cref="Models"/>.
/// </summary>
public interface IImageEngine
{
    /// <summary>Stable engine id recorded in output metadata, e.g. <c>procedural</c>, <c>invokeai</c>, <c>gemini</c>.</summary>
    string Name { get; }

    /// <summary>Which instance of the engine this is, unique in the process (e.g. an InvokeAI node's host and port).</summary>
    string Instance => Name;

    /// <summary>
    /// The hardware it runs on, for routing and the registry: <c>cpu</c> for the procedural renderer,
    /// the node's GPU class (<c>a10g</c>, <c>l4</c>, <c>a100</c>, <c>h100</c>) for InvokeAI, <c>relay</c> for an external API.
    /// </summary>
    string GpuClass => "cpu";

    /// <summary>Jobs it runs at once (worker loops); null takes <c>Worker:Concurrency</c>.</summary>
    int? Concurrency => null;

    /// <summary>The catalog model ids it can serve now, as of the last <see cref="RefreshAsync"/>.</summary>
    IReadOnlyCollection<string> Models { get; }

    bool CanRun(string model) => Models.Contains(model);

    /// <summary>The users' LoRAs installed where it runs (an InvokeAI node's cache), so claims can prefer it for jobs that use them.</summary>
    IReadOnlyCollection<Guid> HeldLoras => [];

    /// <summary>
    /// Re-reads what the engine can serve (an InvokeAI node's installed models) at start and
    /// periodically. Throws when the engine cannot be reached; its workers then claim nothing.
    /// </summary>
    Task RefreshAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Renders the job. Calls <paramref name="onProgress"/> after every step; throws
    /// <see cref="OperationCanceledException"/> promptly when <paramref name="cancellationToken"/> fires,
    /// and <see cref="RetryableEngineException"/> for a failure another attempt may not share.
    /// </summary>
    Task<EngineResult> RunAsync(EngineJob job, Func<EngineProgress, ValueTask> onProgress, CancellationToken cancellationToken);
}

/// <summary>
/// A failure another attempt may not share (a node restarted or went away, a timeout talking to
/// it): the job goes back to the queue after a backoff, up to the queue's attempt limit, instead
/// of failing at once. <paramref name="code"/> is what the job fails with when the attempts run out.
/// </summary>
public class RetryableEngineException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}
