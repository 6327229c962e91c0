namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>
/// Bounded polling instead of fixed sleeps: a test waits as long as the condition takes, and fails
/// with its reason when the deadline passes. A wait that must prove something does not happen
/// stays a plain delay, with a comment saying why.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with <paramref name="because"/> after <paramref name="timeout"/>.</summary>
    /// <param name="interval">Pause between polls (50 ms): longer when each poll does something, e.g. submits.</param>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string because, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{because} (still not after {timeout.TotalSeconds:0.#} s)");
            }

            await Task.Delay(interval ?? DefaultInterval);
        }
    }
}
