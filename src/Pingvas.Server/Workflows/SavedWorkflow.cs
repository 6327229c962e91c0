namespace Pingvas.Server.Workflows;

/// <summary>
/// A workflow a user saved (table <c>workflows</c>): the document as uploaded, checked against the
/// node allow-list when saved and against the owner's plan each time it runs.
/// </summary>
public sealed class SavedWorkflow
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    /// <summary><c>workflow</c> (InvokeAI's editor export) or <c>graph</c> (the queue API's graph).</summary>
    public required string Format { get; set; }

    public required string Document { get; set; }

    /// <summary>JSON list of the fields a run may set (what the run form is built from).</summary>
    public required string ExposedFields { get; set; }

    public int NodeCount { get; set; }

    /// <summary>One of the owner's gallery images shown on the library card.</summary>
    public Guid? ThumbnailImageId { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}
