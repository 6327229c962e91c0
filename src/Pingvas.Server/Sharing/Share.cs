namespace Pingvas.Server.Sharing;

/// <summary>
/// A public link to one image or one folder. <see cref="Token"/> is the unguessable part of its URL;
/// an expired, revoked or exhausted link answers like a missing one.
/// </summary>
public sealed class Share
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required string Token { get; set; }

    public Guid? ImageId { get; set; }

    public Guid? FolderId { get; set; }

    /// <summary>The password's KDF hash (the account password hasher); null when the link has none.</summary>
    public string? PasswordHash { get; set; }

    public DateTime? ExpiresAt { get; set; }

    public int? MaxViews { get; set; }

    /// <summary>Distinct visitor sessions that opened it.</summary>
    public int Views { get; set; }

    public DateTime? RevokedAt { get; set; }

    public DateTime CreatedAt { get; set; }
}
