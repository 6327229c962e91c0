using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;

using Microsoft.Extensions.Options;

namespace Pingvas.Server.Telemetry;

/// <summary>
/// Serves /metrics without an OpenTelemetry SDK: a <see cref="MeterListener"/> enabled only for
/// the "Pingvas" meter and ASP.NET Core's hosting meter of this host's container (in-process test
/// servers share a process, not their series), aggregating in memory and rendered by
/// <see cref="PrometheusText"/>. Until this class exists no listener is enabled and every
/// instrument call returns at once. Each instrument keeps at most <c>Metrics:MaxSeriesPerMetric</c>
/// label sets; measurements for more are dropped and counted in <c>pingvas_metrics_dropped_series_total</c>.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    /// <summary>The meters exported: ours, and ASP.NET Core's request duration and active requests.</summary>
    public static readonly IReadOnlySet<string> MeterNames = new HashSet<string> { PingvasMetrics.MeterName, "Microsoft.AspNetCore.Hosting" };

    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<Instrument, PrometheusStream> streams = new();
    private readonly Lock scraping = new();

    public PrometheusExporter(IMeterFactory meters, IOptions<MetricsOptions> options)
        : this(meter => meter.Scope == meters && MeterNames.Contains(meter.Name), options.Value.MaxSeriesPerMetric)
    {
    }

    /// <param name="include">Which meters to export (tests export their own).</param>
    /// <param name="maxSeries">Label sets kept per instrument.</param>
    public PrometheusExporter(Func<Meter, bool> include, int maxSeries)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (include(instrument.Meter))
            {
                var stream = new PrometheusStream(instrument, Math.Max(1, maxSeries));
                streams[instrument] = stream;
                l.EnableMeasurementEvents(instrument, stream);
            }
        };
        listener.MeasurementsCompleted = (instrument, _) => streams.TryRemove(instrument, out PrometheusStream? _);
        listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((PrometheusStream)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((PrometheusStream)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((PrometheusStream)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<float>((_, value, tags, state) => ((PrometheusStream)state!).Record(value, tags));
        listener.Start();
    }

    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Observes the observable instruments and renders every series in the text format 0.0.4.</summary>
    public string Scrape()
    {
        // One scrape at a time: observable series are rebuilt from their callbacks on each.
        lock (scraping)
        {
            var current = streams.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
            foreach (var stream in current.Where(s => s.Observable))
            {
                stream.Clear();
            }

            listener.RecordObservableInstruments();
            var text = new StringBuilder();
            foreach (var stream in current)
            {
                stream.Render(text);
            }

            var dropped = current.Where(s => s.Dropped > 0).ToList();
            if (dropped.Count > 0)
            {
                PrometheusText.Header(text, "pingvas_metrics_dropped_series_total", "counter", "Measurements dropped because their metric reached its series cap.");
                foreach (var stream in dropped)
                {
                    PrometheusText.Sample(text, "pingvas_metrics_dropped_series_total", PrometheusText.Labels([new("metric", stream.Name)]), stream.Dropped);
                }
            }

            return text.ToString();
        }
    }

    public void Dispose() => listener.Dispose();
}
