namespace Pingvas.Server.YourData;

/// <summary><c>YourData:*</c> settings: the export worker and the expiry chore.</summary>
public sealed class YourDataOptions
{
    /// <summary>How long a ready export (and its download link) lasts.</summary>
    public static readonly TimeSpan ExportLifetime = TimeSpan.FromDays(7);

    /// <summary>How often the export worker looks for queued exports when nothing woke it (another process queued one).</summary>
    public int ExportPollSeconds { get; set; } = 5;

    /// <summary>How often expired exports are deleted; 0 turns the chore off.</summary>
    public int ExpiryIntervalMinutes { get; set; } = 60;

    /// <summary>How long a deletion waits for its running jobs to stop (their workers settle the seconds used) before it goes on.</summary>
    public int DeletionJobWaitSeconds { get; set; } = 15;
}
