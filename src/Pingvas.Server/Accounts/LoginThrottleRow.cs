namespace Pingvas.Server.Accounts;

/// <summary>
/// The sign-in throttle of one (email, client address) pair, shared by every API instance. The
/// id is an HMAC of the pair, so the table holds neither emails nor addresses.
/// </summary>
public sealed class LoginThrottleRow
{
    public required string Id { get; set; }

    /// <summary>Attempts, decayed to <see cref="UpdatedAt"/> (Core/Accounts/LoginThrottle).</summary>
    public double Score { get; set; }

    public DateTime UpdatedAt { get; set; }

    public DateTime? BlockedUntil { get; set; }
}
