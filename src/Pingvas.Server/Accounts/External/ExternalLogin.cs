namespace Pingvas.Server.Accounts.External;

/// <summary>A provider's account (its stable subject id) linked to one of ours.</summary>
public sealed class ExternalLogin
{
    /// <summary><see cref="ExternalProviders.Google"/> or <see cref="ExternalProviders.Discord"/>.</summary>
    public required string Provider { get; set; }

    /// <summary>The provider's id for the person (Google <c>sub</c>, Discord <c>id</c>): never their email, which can change.</summary>
    public required string Subject { get; set; }

    public Guid UserId { get; set; }

    /// <summary>The address the provider gave at the last sign-in (for support; linking uses the account's own).</summary>
    public string? Email { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime LastUsedAt { get; set; }
}

/// <summary>A one-time code for <c>POST /auth/external/exchange</c>, stored as its SHA-256 hash.</summary>
public sealed class ExternalSignInCode
{
    public required string CodeHash { get; set; }

    public Guid UserId { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime ExpiresAt { get; set; }
}
