using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

using Pingvas.Server.Hosting;

namespace Pingvas.Server.Telemetry;

/// <summary>
/// OTLP trace export, configured only by the standard OpenTelemetry variables
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> or <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>, <c>_PROTOCOL</c>,
/// <c>_HEADERS</c>, <c>OTEL_SERVICE_NAME</c>, <c>OTEL_BSP_*</c>...), which the SDK reads itself. With
/// neither endpoint set nothing is registered: no listener exists, so no span is ever created.
/// </summary>
public static class TracingSetup
{
    /// <summary>The sources exported: ours, ASP.NET Core's request spans, HttpClient's outgoing calls (InvokeAI, relays, webhooks, S3).</summary>
    public static readonly string[] Sources = [JobActivities.SourceName, "Microsoft.AspNetCore", "System.Net.Http"];

    public static bool Enabled =>
        !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"))
        || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));

    /// <summary><c>OTEL_SERVICE_NAME</c>, else <c>pingvas-&lt;role&gt;</c>.</summary>
    public static string ServiceName(PingvasRole role) =>
        Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") is { Length: > 0 } name ? name : $"pingvas-{role.ToString().ToLowerInvariant()}";

    public static void AddPingvasTracing(this IServiceCollection services, PingvasRole role)
    {
        if (!Enabled)
        {
            return;
        }

        // Built by the container (so disposed with it, after the hosted services stopped: the last
        // spans of a drain are flushed) and resolved as a hosted service, so it exists before any work starts.
        services.AddSingleton(_ => new TracingExport(role));
        services.AddHostedService(sp => sp.GetRequiredService<TracingExport>());
    }
}

/// <summary>The process's TracerProvider: created at host start, flushed and shut down when the host is disposed.</summary>
public sealed class TracingExport : IHostedService, IDisposable
{
    private readonly TracerProvider provider;

    public TracingExport(PingvasRole role)
    {
        var version = typeof(TracingExport).Assembly.GetName().Version?.ToString();
        provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(TracingSetup.ServiceName(role), serviceVersion: version))
            .AddSource(TracingSetup.Sources)
            .AddOtlpExporter()
            .Build();
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => provider.Dispose();
}
