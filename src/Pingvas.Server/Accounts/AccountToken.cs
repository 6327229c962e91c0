namespace Pingvas.Server.Accounts;

/// <summary>A single-use, expiring link we mailed, stored as the SHA-256 hash of its token (<see cref="AccountTokens"/>).</summary>
public sealed class AccountToken
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary><see cref="AccountTokenPurposes"/>.</summary>
    public required string Purpose { get; set; }

    public required string TokenHash { get; set; }

    /// <summary>The address an email change moves the account to.</summary>
    public string? NewEmail { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime ExpiresAt { get; set; }

    /// <summary>Used, or superseded by a newer token of the same purpose: refused from then on.</summary>
    public DateTime? UsedAt { get; set; }
}

public static class AccountTokenPurposes
{
    public const string VerifyEmail = "verify_email";
    public const string EmailChange = "email_change";
    public const string PasswordReset = "password_reset";

    public static TimeSpan Lifetime(string purpose) => purpose switch
    {
        VerifyEmail => TimeSpan.FromHours(48),
        EmailChange => TimeSpan.FromHours(24),
        PasswordReset => TimeSpan.FromHours(1),
        _ => throw new ArgumentOutOfRangeException(nameof(purpose), purpose, "Unknown account token purpose."),
    };
}
