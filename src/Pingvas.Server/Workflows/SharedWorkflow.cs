namespace Pingvas.Server.Workflows;

/// <summary>
/// A workflow an admin shares with some plans (table <c>shared_workflows</c>): catalog data with no
/// owner, listed to every user whose plan is in <see cref="PlanIds"/>.
/// </summary>
public sealed class SharedWorkflow
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    /// <summary><c>workflow</c> or <c>graph</c>, as <see cref="SavedWorkflow.Format"/>.</summary>
    public required string Format { get; set; }

    public required string Document { get; set; }

    public required string ExposedFields { get; set; }

    public int NodeCount { get; set; }

    /// <summary>Comma-separated plan ids that see it.</summary>
    public required string PlanIds { get; set; }

    /// <summary>An object-store key of a thumbnail copied from the admin's image (not a reference to a user's image).</summary>
    public string? ThumbnailKey { get; set; }

    public Guid? CreatedBy { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}
