namespace Pingvas.Engines.Tests.Relay;

/// <summary>Bounded polling instead of fixed sleeps (as the server tests' helper of the same name).</summary>
internal static class Eventually
{
    public static async Task UntilAsync(Func<bool> condition, string because, double timeoutSeconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{because} (still not after {timeoutSeconds:0.#} s)");
            }

            await Task.Delay(20);
        }
    }
}
