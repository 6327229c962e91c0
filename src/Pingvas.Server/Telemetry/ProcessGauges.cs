using System.Diagnostics.Metrics;
using System.Reflection;

using Pingvas.Server.Hosting;
using Pingvas.Server.Realtime;

namespace Pingvas.Server.Telemetry;

/// <summary>
/// What every role says about its own process: <c>pingvas_build_info</c> (always 1, which build and
/// role answers) and <c>pingvas_event_listener_up</c> (the PostgreSQL LISTEN connection; the
/// embedded SQLite default has no such connection and never misses an event, so it reports 1).
/// </summary>
public sealed class ProcessGauges
{
    public ProcessGauges(PingvasMetrics metrics, HostRole role, IServiceProvider services)
    {
        var listener = services.GetService<PostgresListener>();
        var build = new KeyValuePair<string, object?>[] { new("version", Version), new("role", role.Role.ToString().ToLowerInvariant()) };
        metrics.Meter.CreateObservableGauge("pingvas_build_info", () => new Measurement<int>(1, build), null,
            "Always 1; labels say which build and role answers.");
        metrics.Meter.CreateObservableGauge("pingvas_event_listener_up", () => listener is null || listener.IsListening ? 1 : 0, null,
            "1 while the PostgreSQL LISTEN connection is up (always 1 on the embedded SQLite default).");
    }

    /// <summary>The assembly's informational version without the source revision suffix.</summary>
    public static string Version { get; } =
        (typeof(ProcessGauges).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];
}
