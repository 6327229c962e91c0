using System.Text.Encodings.Web;
using System.Text.Json;

using Microsoft.Extensions.Logging.Console;

using Pingvas.Server.Hosting;

namespace Pingvas.Server.Telemetry;

/// <summary>
/// Console logs: one JSON object per line for the roles an orchestrator runs (api, worker, migrate),
/// with the trace and span ids of the current activity and the scopes, so a log line joins its trace;
/// the single-line simple format for <c>serve</c>, which a person reads in a terminal.
/// <c>Logging:Console:FormatterName</c> (json, simple, systemd) overrides the role's default.
/// Request lines have their query values redacted (<see cref="LoggingQueryRedaction"/>).
/// </summary>
public static class LoggingSetup
{
    public static void AddPingvasConsole(this ILoggingBuilder logging, IConfiguration configuration, PingvasRole role)
    {
        logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        var formatter = configuration["Logging:Console:FormatterName"] is { Length: > 0 } named
            ? named.ToLowerInvariant()
            : role == PingvasRole.Serve ? ConsoleFormatterNames.Simple : ConsoleFormatterNames.Json;
        switch (formatter)
        {
            case ConsoleFormatterNames.Json:
                logging.AddJsonConsole(o =>
                {
                    o.IncludeScopes = true;
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                    // Logs are not HTML: quotes, apostrophes and backticks stay readable (still valid JSON).
                    o.JsonWriterOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
                });
                break;
            case ConsoleFormatterNames.Simple:
                logging.AddSimpleConsole(o => o.SingleLine = true);
                break;
            default:
                // systemd or a custom name: the console logger's own configuration binding applies it.
                break;
        }

        // Last: AddJsonConsole/AddSimpleConsole would otherwise add the plain console provider back.
        LoggingQueryRedaction.Replace(logging.Services);
    }
}
