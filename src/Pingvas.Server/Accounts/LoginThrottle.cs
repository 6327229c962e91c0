namespace Pingvas.Server.Accounts;

/// <summary>
/// After <see cref="FreeFailures"/> wrong passwords in a row an account locks for a while that
/// doubles with each further failure (capped), slowing password guessing per account; the per-IP
/// rate limit on /auth covers guessing across accounts.
/// </summary>
public static class LoginThrottle
{
    public const int FreeFailures = 5;
    public static readonly TimeSpan BaseLock = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MaxLock = TimeSpan.FromMinutes(15);

    public static DateTime? LockUntil(int failures, DateTime now)
    {
        if (failures < FreeFailures)
        {
            return null;
        }

        var factor = Math.Pow(2, Math.Min(10, failures - FreeFailures));
        var seconds = Math.Min(MaxLock.TotalSeconds, BaseLock.TotalSeconds * factor);
        return now.AddSeconds(seconds);
    }
}
