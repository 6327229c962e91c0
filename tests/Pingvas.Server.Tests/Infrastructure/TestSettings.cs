using System.Collections.Immutable;
using System.Globalization;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>
/// Server settings a test changes, by name. A setting left null is not passed, so the harness's
/// default stays (<see cref="Fast"/> for <see cref="PingvasServer"/>, the cluster's own for
/// <see cref="PingvasCluster"/>, else the app's). Keys no property names go through <see cref="With(string, string)"/>.
/// This is the one place that turns settings into configuration keys.
/// </summary>
public sealed record TestSettings
{
    /// <summary>What every <see cref="PingvasServer"/> starts from: no step pause, quick polling, no rate limit in the way.</summary>
    public static readonly TestSettings Fast = new()
    {
        StepDelayMs = 0,
        AuthPerMinute = 10_000,
        SubmitBurst = 10_000,
        SubmitsPerSecond = 10_000,
        PollMilliseconds = 200,
    };

    /// <summary><c>Engines:Procedural:StepDelayMs</c>: the engine's pause per step (it paces and bills like a GPU).</summary>
    public int? StepDelayMs { get; init; }

    /// <summary><c>Worker:Concurrency</c>: worker loops in the process.</summary>
    public int? WorkerConcurrency { get; init; }

    /// <summary><c>Worker:ShutdownGraceSeconds</c>: how long a stopping worker lets its job finish.</summary>
    public int? ShutdownGraceSeconds { get; init; }

    /// <summary><c>Queue:LeaseSeconds</c>: a claimed job's lease; recovery sweeps every half lease.</summary>
    public int? LeaseSeconds { get; init; }

    /// <summary><c>Queue:RetryBackoffSeconds</c>: wait before a job whose worker vanished runs again (doubling per attempt).</summary>
    public double? RetryBackoffSeconds { get; init; }

    /// <summary><c>Queue:MaxAttempts</c>: attempts before a job that keeps losing its worker is failed.</summary>
    public int? MaxAttempts { get; init; }

    /// <summary><c>Queue:AgingSeconds</c>: waiting time that raises a job one priority level.</summary>
    public double? AgingSeconds { get; init; }

    /// <summary><c>Queue:PollMilliseconds</c>: the workers' fallback poll when no wake-up arrives.</summary>
    public int? PollMilliseconds { get; init; }

    /// <summary><c>RateLimits:AuthPerMinute</c>: sign-up, sign-in and refresh calls per IP per minute.</summary>
    public int? AuthPerMinute { get; init; }

    /// <summary><c>RateLimits:SubmitBurst</c>: submits per user in a burst.</summary>
    public int? SubmitBurst { get; init; }

    /// <summary><c>RateLimits:SubmitsPerSecond</c>: the refill of the submit burst.</summary>
    public int? SubmitsPerSecond { get; init; }

    /// <summary>Any other configuration key (<c>Section:Key</c>) and its value; wins over the named settings.</summary>
    public ImmutableDictionary<string, string> Extra { get; init; } = ImmutableDictionary<string, string>.Empty;

    public TestSettings With(string key, string value) => this with { Extra = Extra.SetItem(key, value) };

    public TestSettings With(IEnumerable<KeyValuePair<string, string>> settings) => this with { Extra = Extra.SetItems(settings) };

    /// <summary>The settings that are set, as configuration keys (<c>Section:Key</c>) with invariant values.</summary>
    public Dictionary<string, string> ToDictionary()
    {
        var settings = new Dictionary<string, string>();
        Add(settings, "Engines:Procedural:StepDelayMs", StepDelayMs);
        Add(settings, "Worker:Concurrency", WorkerConcurrency);
        Add(settings, "Worker:ShutdownGraceSeconds", ShutdownGraceSeconds);
        Add(settings, "Queue:LeaseSeconds", LeaseSeconds);
        Add(settings, "Queue:RetryBackoffSeconds", RetryBackoffSeconds);
        Add(settings, "Queue:MaxAttempts", MaxAttempts);
        Add(settings, "Queue:AgingSeconds", AgingSeconds);
        Add(settings, "Queue:PollMilliseconds", PollMilliseconds);
        Add(settings, "RateLimits:AuthPerMinute", AuthPerMinute);
        Add(settings, "RateLimits:SubmitBurst", SubmitBurst);
        Add(settings, "RateLimits:SubmitsPerSecond", SubmitsPerSecond);
        foreach (var (key, value) in Extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>The same in environment form (<c>Section__Key</c>), for the separate processes of <see cref="PingvasCluster"/>.</summary>
    public Dictionary<string, string> ToEnvironment() =>
        ToDictionary().ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);

    /// <summary><paramref name="overrides"/> on top of these settings: what it sets wins.</summary>
    public Dictionary<string, string> ToDictionary(TestSettings overrides)
    {
        var settings = ToDictionary();
        foreach (var (key, value) in overrides.ToDictionary())
        {
            settings[key] = value;
        }

        return settings;
    }

    private static void Add<T>(Dictionary<string, string> settings, string key, T? value)
        where T : struct, IFormattable
    {
        if (value is { } set)
        {
            settings[key] = set.ToString(null, CultureInfo.InvariantCulture);
        }
    }
}
