using System.Net;

namespace Pingvas.Bench;

/// <summary>What a load phase saw: one latency per completed request, the status of each, and when it finished.</summary>
public sealed class LoadResult
{
    public List<double> LatenciesMs { get; } = [];

    /// <summary>Completion time of each successful request, ms from the phase start.</summary>
    public List<double> CompletedAtMs { get; } = [];

    public Dictionary<string, long> Statuses { get; } = [];

    public double Seconds { get; set; }

    public long Successes => CompletedAtMs.Count;

    public long Count => Statuses.Values.Sum();

    public long Errors => Count - Successes;

    public double Throughput => Successes / Seconds;

    /// <summary>Successful requests per second in consecutive windows, to show drift (e.g. as the queue grows).</summary>
    public List<double> Windows(double windowMs)
    {
        var windows = new List<double>();
        if (CompletedAtMs.Count == 0)
        {
            return windows;
        }

        // Whole windows only: a last partial window would read low.
        var buckets = new long[Math.Max(1, (int)Math.Floor(Seconds * 1000 / windowMs))];
        foreach (var at in CompletedAtMs)
        {
            var i = (int)(at / windowMs);
            if (i < buckets.Length)
            {
                buckets[i]++;
            }
        }

        return buckets.Select(b => Math.Round(b * 1000 / windowMs, 1)).ToList();
    }

    public void Merge(LoadResult other)
    {
        LatenciesMs.AddRange(other.LatenciesMs);
        CompletedAtMs.AddRange(other.CompletedAtMs);
        foreach (var (status, n) in other.Statuses)
        {
            Statuses[status] = Statuses.GetValueOrDefault(status) + n;
        }
    }
}

/// <summary>
/// HTTP load from this process over loopback. Closed loop: a fixed number of requests in flight
/// until a count or a duration is reached. Open loop: requests started at a fixed rate whatever
/// the answers. A request is a success when it gets the expected status.
/// </summary>
public static class LoadGenerator
{
    /// <summary>Runs a phase between two resource samples and takes the database time it spent.</summary>
    public static async Task<Measured> Measure(BenchServer server, Func<Task<LoadResult>> phase)
    {
        var before = await server.Meter.SampleAsync();
        var db = server.Timer.Snapshot();
        var load = await phase();
        var dbAfter = server.Timer.Snapshot();
        var after = await server.Meter.SampleAsync(after: true);
        return new Measured(load, before, after, dbAfter - db);
    }

    public static async Task<LoadResult> ClosedAsync(HttpClient client, int concurrency, long maxCount, TimeSpan maxDuration, HttpStatusCode expected, Func<long, HttpRequestMessage> request)
    {
        long next = -1;
        var start = Clock.Now;
        var deadline = start + (long)(maxDuration.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        var parts = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            var part = new LoadResult();
            while (Clock.Now < deadline)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= maxCount)
                {
                    break;
                }

                await SendAsync(client, request(i), expected, start, part);
            }

            return part;
        })));
        var result = new LoadResult { Seconds = Clock.Ms(start, Clock.Now) / 1000 };
        foreach (var part in parts)
        {
            result.Merge(part);
        }

        return result;
    }

    public static async Task<LoadResult> OpenAsync(HttpClient client, double rate, TimeSpan duration, HttpStatusCode expected, Func<long, HttpRequestMessage> request)
    {
        var total = (long)Math.Round(rate * duration.TotalSeconds);
        var start = Clock.Now;
        var inFlight = new List<Task<LoadResult>>();
        for (long i = 0; i < total; i++)
        {
            var due = i * 1000.0 / rate;
            var wait = due - Clock.Ms(start, Clock.Now);
            if (wait > 1)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait));
            }

            var message = request(i);
            inFlight.Add(Task.Run(async () =>
            {
                var part = new LoadResult();
                await SendAsync(client, message, expected, start, part);
                return part;
            }));
        }

        var result = new LoadResult();
        foreach (var part in await Task.WhenAll(inFlight))
        {
            result.Merge(part);
        }

        result.Seconds = Clock.Ms(start, Clock.Now) / 1000;
        return result;
    }

    private static async Task SendAsync(HttpClient client, HttpRequestMessage message, HttpStatusCode expected, long phaseStart, LoadResult into)
    {
        var sent = Clock.Now;
        string status;
        try
        {
            using (message)
            using (var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead))
            {
                status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (response.StatusCode == expected)
                {
                    into.CompletedAtMs.Add(Clock.Ms(phaseStart, Clock.Now));
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            status = ex.GetType().Name;
        }

        into.LatenciesMs.Add(Clock.Ms(sent, Clock.Now));
        into.Statuses[status] = into.Statuses.GetValueOrDefault(status) + 1;
    }
}
