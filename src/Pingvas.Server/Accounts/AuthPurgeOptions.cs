namespace Pingvas.Server.Accounts;

/// <summary>Settings of the account housekeeping chores (section <c>Auth</c>).</summary>
public sealed class AuthPurgeOptions
{
    /// <summary>Minutes between two purges of expired refresh tokens and stale sign-in throttles; 0 switches them off.</summary>
    public double PurgeIntervalMinutes { get; set; } = 60;
}
