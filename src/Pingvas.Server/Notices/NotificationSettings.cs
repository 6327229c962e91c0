namespace Pingvas.Server.Notices;

/// <summary>A user's completion-email opt-ins (table <c>notification_settings</c>); no row means both off.</summary>
public sealed class NotificationSettings
{
    /// <summary>The smallest and largest <see cref="BatchFinishedMin"/> a user may choose.</summary>
    public const int MinBatch = 2;
    public const int MaxBatch = 100;

    public Guid UserId { get; set; }

    /// <summary>Email when a generation of at least this many images succeeds; null: never.</summary>
    public int? BatchFinishedMin { get; set; }

    /// <summary>Email when a generation fails (a cancel is not a failure).</summary>
    public bool JobFailed { get; set; }

    public DateTime UpdatedAt { get; set; }

    public NotificationSettingsDto ToDto() => new(BatchFinishedMin, JobFailed);
}

/// <summary>What <c>GET /me/notifications</c> answers.</summary>
public sealed record NotificationSettingsDto(int? BatchFinishedMin, bool JobFailed)
{
    public static readonly NotificationSettingsDto Off = new(null, false);
}

/// <summary>The body of <c>PUT /me/notifications</c>: both fields are required (<c>batchFinishedMin</c> may be null).</summary>
public sealed record NotificationSettingsRequest(int? BatchFinishedMin, bool? JobFailed);
