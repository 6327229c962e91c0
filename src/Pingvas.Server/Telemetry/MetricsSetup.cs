using Microsoft.Extensions.Options;

using Pingvas.Server.Hosting;

namespace Pingvas.Server.Telemetry;

/// <summary>Settings of the <c>Metrics</c> section (README "Configuration").</summary>
public sealed class MetricsOptions
{
    /// <summary>Serve <c>GET /metrics</c> (anonymous: keep it on the internal network, docs/operations.md "Metrics").</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Label sets kept per metric; more are dropped and counted, so a label bug cannot exhaust memory.</summary>
    public int MaxSeriesPerMetric { get; set; } = 2000;
}

/// <summary>State a scrape brings up to date before it observes the gauges (each decides how stale it may be).</summary>
public interface IMetricsRefresh
{
    Task RefreshAsync(CancellationToken ct);
}

/// <summary>The metrics of issue 14: instruments, gauges and the Prometheus endpoint (deploy/monitoring/metrics.yaml).</summary>
public static class MetricsSetup
{
    public const string Path = "/metrics";

    /// <summary>Instruments on every role; the fleet gauges and the ledger audit on serve and api only (every replica reports the same values).</summary>
    public static IServiceCollection AddPingvasMetrics(this IServiceCollection services, IConfiguration configuration, PingvasRole role)
    {
        services.Configure<MetricsOptions>(configuration.GetSection("Metrics"));
        services.AddMetrics();
        services.AddSingleton<MetricsPlans>();
        services.AddSingleton<IMetricsRefresh>(sp => sp.GetRequiredService<MetricsPlans>());
        services.AddSingleton<PingvasMetrics>();
        services.AddSingleton<ProcessGauges>();
        services.AddSingleton<PrometheusExporter>();
        if (role is PingvasRole.Serve or PingvasRole.Api)
        {
            services.AddSingleton<FleetGauges>();
            services.AddSingleton<IMetricsRefresh>(sp => sp.GetRequiredService<FleetGauges>());
            services.AddSingleton<LedgerAuditGauges>();
            services.AddSingleton<IMetricsRefresh>(sp => sp.GetRequiredService<LedgerAuditGauges>());
        }

        return services;
    }

    /// <summary>
    /// <c>GET /metrics</c> when <c>Metrics:Enabled</c>: the listener starts here, so without it the
    /// instruments stay free. Anonymous and outside the API document; a database outage leaves the
    /// fleet gauges at their last values instead of failing the scrape.
    /// </summary>
    public static WebApplication MapPingvasMetrics(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value.Enabled)
        {
            return app;
        }

        var exporter = app.Services.GetRequiredService<PrometheusExporter>();
        app.Services.GetRequiredService<ProcessGauges>();
        if (app.Services.GetRequiredService<HostRole>().Role is PingvasRole.Serve or PingvasRole.Api)
        {
            app.Services.GetRequiredService<PingvasMetrics>().StartDeliveryCounters();
        }

        var refreshers = app.Services.GetServices<IMetricsRefresh>().ToList();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MetricsSetup));
        app.MapGet(Path, async (HttpContext http, CancellationToken ct) =>
        {
            if (CameThroughProxy(http.Request))
            {
                // Prometheus scrapes the pod directly; anything a proxy or ingress forwarded is the public.
                return Results.NotFound();
            }

            foreach (var refresher in refreshers)
            {
                try
                {
                    await refresher.RefreshAsync(ct);
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Metrics: {Refresher} could not refresh; serving its last values", refresher.GetType().Name);
                }
            }

            return Results.Text(exporter.Scrape(), PrometheusExporter.ContentType);
        }).ExcludeFromDescription();
        return app;
    }

    /// <summary>True when a proxy forwarded the request (its headers, or the ones the forwarded-headers middleware leaves after reading them).</summary>
    public static bool CameThroughProxy(HttpRequest request) =>
        request.Headers.ContainsKey("X-Forwarded-For") || request.Headers.ContainsKey("X-Original-For") || request.Headers.ContainsKey("Forwarded");
}
