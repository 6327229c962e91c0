using Pingvas.Core.Accounts;

namespace Pingvas.Core.Tests;

public class LoginThrottleMathTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void The_first_four_attempts_are_free_and_the_fifth_blocks_the_next_for_the_base_delay()
    {
        LoginThrottleState? state = null;
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            state = LoginThrottle.Count(state, T0.AddSeconds(attempt));
            Assert.Null(state.BlockedUntil);
            Assert.Null(LoginThrottle.RetryAfter(state, T0.AddSeconds(attempt)));
        }

        var fifth = T0.AddSeconds(5);
        state = LoginThrottle.Count(state, fifth);
        Assert.Equal(fifth + LoginThrottle.BaseDelay, state.BlockedUntil);
        Assert.Equal(LoginThrottle.BaseDelay - TimeSpan.FromSeconds(10), LoginThrottle.RetryAfter(state, fifth.AddSeconds(10)));
        Assert.Null(LoginThrottle.RetryAfter(state, fifth + LoginThrottle.BaseDelay));
    }

    [Fact]
    public void Each_point_of_score_past_the_free_attempts_doubles_the_wait_up_to_the_cap()
    {
        Assert.Null(LoginThrottle.Delay(4));
        Assert.Equal(LoginThrottle.BaseDelay, LoginThrottle.Delay(5));
        Assert.Equal(LoginThrottle.BaseDelay * 2, LoginThrottle.Delay(6));
        Assert.Equal(LoginThrottle.BaseDelay * 8, LoginThrottle.Delay(8));
        Assert.Equal(LoginThrottle.MaxDelay, LoginThrottle.Delay(50));
        Assert.Equal(LoginThrottle.MaxDelay, LoginThrottle.Delay(double.MaxValue));
    }

    [Fact]
    public void A_guesser_who_retries_as_soon_as_allowed_waits_longer_each_time()
    {
        var now = T0;
        LoginThrottleState? state = null;
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            state = LoginThrottle.Count(state, now);
        }

        var previous = LoginThrottle.BaseDelay;
        for (var attempt = 6; attempt <= 10; attempt++)
        {
            now = state!.BlockedUntil!.Value;
            state = LoginThrottle.Count(state, now);
            var wait = state.BlockedUntil!.Value - now;
            Assert.True(wait > previous * 1.15, $"attempt {attempt}: {wait} after {previous}");
            previous = wait;
        }

        // The sixth attempt waits about twice the base (the score decayed a little meanwhile).
        Assert.InRange(LoginThrottle.Delay(LoginThrottle.Count(LoginThrottle.Count(
            new LoginThrottleState(4, T0, null), T0), T0 + LoginThrottle.BaseDelay).Score)!.Value.TotalSeconds, 55, 60);
    }

    [Fact]
    public void The_score_halves_every_half_life()
    {
        var state = new LoginThrottleState(8, T0, null);

        Assert.Equal(8, LoginThrottle.ScoreAt(state, T0), 9);
        Assert.Equal(4, LoginThrottle.ScoreAt(state, T0 + LoginThrottle.HalfLife), 9);
        Assert.Equal(1, LoginThrottle.ScoreAt(state, T0 + (3 * LoginThrottle.HalfLife)), 9);

        // A clock that went backwards does not grow the score.
        Assert.Equal(8, LoginThrottle.ScoreAt(state, T0.AddMinutes(-5)), 9);
    }

    [Fact]
    public void After_the_decay_a_pair_has_its_free_attempts_again()
    {
        var now = T0;
        LoginThrottleState? state = null;
        for (var attempt = 1; attempt <= 8; attempt++)
        {
            now = state?.BlockedUntil ?? now;
            state = LoginThrottle.Count(state, now);
        }

        now += 8 * LoginThrottle.HalfLife;
        Assert.Null(LoginThrottle.RetryAfter(state, now));
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            state = LoginThrottle.Count(state, now);
            Assert.Null(state.BlockedUntil);
        }

        Assert.NotNull(LoginThrottle.Count(state, now).BlockedUntil);
    }

    [Fact]
    public void Attempts_spread_out_over_time_are_never_blocked()
    {
        var now = T0;
        LoginThrottleState? state = null;
        for (var attempt = 1; attempt <= 100; attempt++)
        {
            state = LoginThrottle.Count(state, now);
            Assert.Null(state.BlockedUntil);
            now += LoginThrottle.HalfLife;
        }

        // A steady one attempt per half-life settles below two.
        Assert.InRange(state!.Score, 1.9, 2.0);
    }
}
