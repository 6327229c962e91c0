namespace Pingvas.Server.Accounts;

/// <summary>
/// A refresh token, stored as its SHA-256 hash. Tokens rotate: each use revokes the token and
/// issues a successor in the same family; reusing a revoked token revokes the whole family.
/// </summary>
public sealed class RefreshToken
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public Guid FamilyId { get; set; }

    public required string TokenHash { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime ExpiresAt { get; set; }

    public DateTime? RevokedAt { get; set; }

    /// <summary>The family was signed in with a TOTP code; its access tokens keep that mark.</summary>
    public bool Mfa { get; set; }
}
