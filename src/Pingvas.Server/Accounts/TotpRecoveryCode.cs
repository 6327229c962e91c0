namespace Pingvas.Server.Accounts;

/// <summary>A single-use TOTP recovery code, stored hashed with the password KDF.</summary>
public sealed class TotpRecoveryCode
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required string CodeHash { get; set; }

    public DateTime? UsedAt { get; set; }

    public DateTime CreatedAt { get; set; }
}
