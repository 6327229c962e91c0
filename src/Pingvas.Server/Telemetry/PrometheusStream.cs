using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;

namespace Pingvas.Server.Telemetry;

/// <summary>
/// One instrument's series, aggregated as Prometheus wants them: counters summed, gauges and
/// up-down counters as their value, histograms as per-bucket counts with sum and count. A series
/// is keyed by its rendered label set; each has its own lock, held for a few additions.
/// </summary>
public sealed class PrometheusStream
{
    /// <summary>OpenTelemetry's default boundaries, for a histogram that gives no advice.</summary>
    private static readonly double[] DefaultBuckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly ConcurrentDictionary<string, Series> series = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<TagKey, string> keys = new();
    private readonly int maxSeries;
    private readonly double[]? buckets;
    private readonly Kind kind;
    private readonly string help;
    private long dropped;

    public PrometheusStream(Instrument instrument, int maxSeries)
    {
        this.maxSeries = maxSeries;
        var type = instrument.GetType().GetGenericTypeDefinition();
        kind = type == typeof(Counter<>) ? Kind.Counter
            : type == typeof(ObservableCounter<>) ? Kind.ObservedCounter
            : type == typeof(Histogram<>) ? Kind.Histogram
            : type == typeof(UpDownCounter<>) ? Kind.Sum
            : Kind.Gauge;
        Observable = instrument.IsObservable;
        Name = PrometheusText.MetricName(instrument.Name, instrument.Unit, kind is Kind.Counter or Kind.ObservedCounter);
        help = instrument.Description ?? instrument.Name;
        if (kind == Kind.Histogram)
        {
            buckets = BucketsOf(instrument) ?? DefaultBuckets;
        }
    }

    private enum Kind
    {
        Counter,
        ObservedCounter,
        Sum,
        Gauge,
        Histogram,
    }

    /// <summary>The exported name (sanitised, unit suffix, <c>_total</c> for counters).</summary>
    public string Name { get; }

    public bool Observable { get; }

    public long Dropped => Interlocked.Read(ref dropped);

    public void Record(double number, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = KeyOf(tags);
        if (!series.TryGetValue(key, out var target))
        {
            if (series.Count >= maxSeries)
            {
                Interlocked.Increment(ref dropped);
                return;
            }

            target = series.GetOrAdd(key, k => new Series(k, buckets?.Length + 1));
        }

        lock (target)
        {
            switch (kind)
            {
                case Kind.Counter:
                case Kind.Sum:
                    target.Value += number;
                    break;
                case Kind.Histogram:
                    target.Buckets![BucketOf(number)]++;
                    target.Sum += number;
                    target.Count++;
                    break;
                default:
                    // Observed values replace the last one (the scrape cleared them first).
                    target.Value = number;
                    break;
            }
        }
    }

    /// <summary>
    /// The rendered label set. Our hooks pass at most three tags: those sets are remembered as given
    /// (a struct key, no allocation), so a measurement renders its labels once, not on every call.
    /// </summary>
    private string KeyOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length > 3)
        {
            return PrometheusText.Labels(tags);
        }

        var given = new TagKey(
            tags.Length > 0 ? tags[0].Key : null, tags.Length > 0 ? tags[0].Value : null,
            tags.Length > 1 ? tags[1].Key : null, tags.Length > 1 ? tags[1].Value : null,
            tags.Length > 2 ? tags[2].Key : null, tags.Length > 2 ? tags[2].Value : null);
        if (keys.TryGetValue(given, out var key))
        {
            return key;
        }

        key = PrometheusText.Labels(tags);
        if (keys.Count < maxSeries * 4)
        {
            keys.TryAdd(given, key);
        }

        return key;
    }

    /// <summary>Forgets the series of an observable instrument before its callbacks report again.</summary>
    public void Clear() => series.Clear();

    public void Render(StringBuilder text)
    {
        if (series.IsEmpty)
        {
            return;
        }

        PrometheusText.Header(text, Name, kind switch
        {
            Kind.Counter or Kind.ObservedCounter => "counter",
            Kind.Histogram => "histogram",
            _ => "gauge",
        }, help);
        foreach (var s in series.Values.OrderBy(s => s.Labels, StringComparer.Ordinal))
        {
            lock (s)
            {
                if (kind != Kind.Histogram)
                {
                    PrometheusText.Sample(text, Name, s.Labels, s.Value);
                    continue;
                }

                long cumulative = 0;
                for (var i = 0; i < buckets!.Length; i++)
                {
                    cumulative += s.Buckets![i];
                    PrometheusText.Sample(text, Name + "_bucket", PrometheusText.WithLe(s.Labels, PrometheusText.Number(buckets[i])), cumulative);
                }

                PrometheusText.Sample(text, Name + "_bucket", PrometheusText.WithLe(s.Labels, "+Inf"), s.Count);
                PrometheusText.Sample(text, Name + "_sum", s.Labels, s.Sum);
                PrometheusText.Sample(text, Name + "_count", s.Labels, s.Count);
            }
        }
    }

    /// <summary>The first bucket whose upper bound (inclusive, Prometheus's <c>le</c>) holds the value; the last index is +Inf.</summary>
    private int BucketOf(double value)
    {
        var index = Array.BinarySearch(buckets!, value);
        return index >= 0 ? index : ~index;
    }

    private static double[]? BucketsOf(Instrument instrument) => instrument switch
    {
        Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
        Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        _ => null,
    };

    private readonly record struct TagKey(string? Key1, object? Value1, string? Key2, object? Value2, string? Key3, object? Value3);

    private sealed class Series(string labels, int? buckets)
    {
        public string Labels { get; } = labels;

        public double Value { get; set; }

        public long[]? Buckets { get; } = buckets is { } n ? new long[n] : null;

        public double Sum { get; set; }

        public long Count { get; set; }
    }
}
