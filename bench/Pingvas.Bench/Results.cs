using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pingvas.Bench;

/// <summary>Latency percentiles in milliseconds (nearest rank over every sample).</summary>
public sealed record LatencySummary(long Samples, double Mean, double P50, double P90, double P99, double Max)
{
    public static LatencySummary? Of(IReadOnlyCollection<double> samplesMs)
    {
        if (samplesMs.Count == 0)
        {
            return null;
        }

        var sorted = samplesMs.ToArray();
        Array.Sort(sorted);
        return new LatencySummary(sorted.Length, Math.Round(sorted.Average(), 3), Rank(sorted, 0.50), Rank(sorted, 0.90), Rank(sorted, 0.99), Math.Round(sorted[^1], 3));
    }

    private static double Rank(double[] sorted, double p) =>
        Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)], 3);

    public override string ToString() => $"p50 {P50:0.0} ms, p90 {P90:0.0} ms, p99 {P99:0.0} ms, max {Max:0.0} ms";
}

/// <summary>
/// One measured number set. The BullMQ script (bench/bullmq/bench.mjs) writes the same shape, so
/// `report` can put both systems side by side.
/// </summary>
public sealed record Measurement
{
    /// <summary><c>pingvas</c> or <c>bullmq</c>.</summary>
    public required string System { get; init; }

    /// <summary>submit, health, auth-get, prefill, drain-runner, drain-claims, steady (pingvas); enqueue, drain, steady (bullmq).</summary>
    public required string Bench { get; init; }

    public int? Workers { get; init; }

    /// <summary>Requests (or adds) in flight for closed-loop load.</summary>
    public int? Concurrency { get; init; }

    /// <summary>Target arrival rate (per second) for open-loop load.</summary>
    public double? Rate { get; init; }

    /// <summary>Operations completed (successful or not).</summary>
    public long Count { get; init; }

    public long Errors { get; init; }

    public double Seconds { get; init; }

    /// <summary>Successful operations per second over <see cref="Seconds"/>.</summary>
    public double Throughput { get; init; }

    /// <summary>Per-operation latency (request round trip, or queue.add).</summary>
    public LatencySummary? Latency { get; init; }

    /// <summary>Enqueue → start: job created (submit) to started (claimed / processor entered).</summary>
    public LatencySummary? StartLatency { get; init; }

    public Dictionary<string, long>? Statuses { get; init; }

    public Dictionary<string, double>? Extra { get; init; }

    public string? Note { get; init; }
}

public static class ResultFile
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static async Task WriteAsync(string path, IEnumerable<Measurement> measurements)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(measurements.ToList(), Json) + "\n");
    }

    public static List<Measurement> Read(string path) =>
        JsonSerializer.Deserialize<List<Measurement>>(File.ReadAllText(path), Json) ?? [];
}
