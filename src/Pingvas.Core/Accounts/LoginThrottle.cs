namespace Pingvas.Core.Accounts;

/// <summary>
/// Recent sign-in attempts of one (email, client address) pair: a score that halves every
/// <see cref="LoginThrottle.HalfLife"/>, as of <paramref name="UpdatedAt"/>, and the time before
/// which no further attempt is checked.
/// </summary>
public sealed record LoginThrottleState(double Score, DateTime UpdatedAt, DateTime? BlockedUntil);

/// <summary>
/// Slows password guessing per (email, address) pair without letting anyone lock an owner out:
/// each attempt adds 1 to a decaying score; the first <see cref="FreeAttempts"/> go through, then
/// each one makes the pair wait <see cref="BaseDelay"/>, doubling per further point, up to
/// <see cref="MaxDelay"/>. Unknown emails are throttled exactly like existing ones.
/// </summary>
public static class LoginThrottle
{
    public const int FreeAttempts = 5;
    public static readonly TimeSpan HalfLife = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan BaseDelay = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(15);

    /// <summary>How long the pair must still wait; null when an attempt may be checked now.</summary>
    public static TimeSpan? RetryAfter(LoginThrottleState? state, DateTime now) =>
        state?.BlockedUntil is { } until && until > now ? until - now : null;

    /// <summary>The score decayed to <paramref name="now"/>.</summary>
    public static double ScoreAt(LoginThrottleState state, DateTime now)
    {
        var elapsed = Math.Max(0, (now - state.UpdatedAt).TotalSeconds);
        return state.Score * Math.Pow(0.5, elapsed / HalfLife.TotalSeconds);
    }

    /// <summary>
    /// Counts one attempt. Counted before the password is checked, so parallel guesses cannot all
    /// pass before the first failure is recorded; a success clears the pair afterwards.
    /// </summary>
    public static LoginThrottleState Count(LoginThrottleState? state, DateTime now)
    {
        var score = (state is null ? 0 : ScoreAt(state, now)) + 1;
        return new LoginThrottleState(score, now, Delay(score) is { } delay ? now + delay : null);
    }

    /// <summary>
    /// The wait after an attempt that brought the score to <paramref name="score"/>; null within the
    /// free attempts. The score decays continuously, so five quick attempts add up to a hair under
    /// 5: the threshold sits half a point lower.
    /// </summary>
    public static TimeSpan? Delay(double score)
    {
        if (score < FreeAttempts - 0.5)
        {
            return null;
        }

        var factor = Math.Pow(2, Math.Clamp(score - FreeAttempts, 0, 30));
        return TimeSpan.FromSeconds(Math.Min(MaxDelay.TotalSeconds, BaseDelay.TotalSeconds * factor));
    }
}
