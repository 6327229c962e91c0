namespace Pingvas.Engines;

/// <summary>
/// A failure another attempt would share (the provider refused the prompt under its content
/// policy, or rejected the request): the job fails at once with <see cref="Code"/> and is refunded.
/// <see cref="Exception.Message"/> is shown to the job's owner, so it never holds secrets.
/// </summary>
public class EngineFailedException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}
