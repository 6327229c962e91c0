namespace Pingvas.Server.Admin;

/// <summary>One admin action that changed something; append-only (the database refuses updates and deletes).</summary>
public sealed class AuditEntry
{
    public Guid Id { get; set; }

    public Guid AdminId { get; set; }

    public required string AdminEmail { get; set; }

    /// <summary>What was done, e.g. <c>user.update</c>, <c>user.credits</c>.</summary>
    public required string Action { get; set; }

    public required string TargetType { get; set; }

    public string? TargetId { get; set; }

    public string? BeforeJson { get; set; }

    public string? AfterJson { get; set; }

    public string? ClientAddress { get; set; }

    public string? UserAgent { get; set; }

    public DateTime CreatedAt { get; set; }
}
