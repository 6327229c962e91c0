namespace Pingvas.Server.YourData;

/// <summary>A ZIP of an account's data, built in the background and downloadable for 7 days.</summary>
public sealed class DataExport
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary><c>queued</c>, <c>running</c>, <c>ready</c>, <c>failed</c> or <c>expired</c>.</summary>
    public required string Status { get; set; }

    /// <summary>0–100.</summary>
    public int Progress { get; set; }

    public long Bytes { get; set; }

    public string? ObjectKey { get; set; }

    public string? Error { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    public DateTime? ExpiresAt { get; set; }
}
