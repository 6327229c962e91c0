namespace Pingvas.Sdk;

/// <summary>
/// One event of a generation stream: <see cref="Id"/> is the opaque cursor a resume sends as
/// <c>Last-Event-ID</c>; <see cref="Generation"/> is the generation's state at that event.
/// </summary>
public sealed record GenerationEvent(string? Id, string Event, Generation Generation)
{
    public bool IsTerminal => Generation.IsTerminal;
}
