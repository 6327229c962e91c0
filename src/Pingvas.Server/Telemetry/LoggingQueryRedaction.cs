using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Pingvas.Server.Telemetry;

/// <summary>
/// The console provider, with the query-string values of ASP.NET Core's "Request starting/finished"
/// lines replaced by <c>*</c>. A browser's SignalR WebSocket must send its access token in the query
/// (<c>/hubs/progress?access_token=…</c>) and signed file links carry their signature there, so those
/// lines would log bearer credentials whenever <c>Microsoft.AspNetCore</c> is at Information or below.
/// Parameter names stay (they say what was asked); other categories pass through untouched.
/// </summary>
[ProviderAlias("Console")]
public sealed class LoggingQueryRedaction(ILoggerProvider inner) : ILoggerProvider, ISupportExternalScope
{
    public const string RequestCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>Puts this provider in place of the console provider the host registered, keeping its options and formatters.</summary>
    public static void Replace(IServiceCollection services)
    {
        var console = services.LastOrDefault(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider));
        if (console is null)
        {
            return;
        }

        services.Remove(console);
        services.AddSingleton<ILoggerProvider>(sp => new LoggingQueryRedaction(
            new ConsoleLoggerProvider(sp.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>(), sp.GetServices<ConsoleFormatter>())));
    }

    /// <summary><c>?a=1&amp;access_token=x</c> → <c>?a=*&amp;access_token=*</c>.</summary>
    public static string Redact(string query) =>
        "?" + string.Join('&', query.TrimStart('?').Split('&').Select(p => p.IndexOf('=') is var eq and >= 0 ? p[..(eq + 1)] + "*" : p));

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName == RequestCategory ? new Redacting(logger) : logger;
    }

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => (inner as ISupportExternalScope)?.SetScopeProvider(scopeProvider);

    public void Dispose() => inner.Dispose();

    private sealed class Redacting(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is not IReadOnlyList<KeyValuePair<string, object?>> values
                || values.FirstOrDefault(v => v.Key == "QueryString").Value is not string { Length: > 1 } query)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }

            var redacted = Redact(query);
            var message = formatter(state, exception).Replace(query, redacted, StringComparison.Ordinal);
            var fields = values.Select(v => v.Key == "QueryString" ? new KeyValuePair<string, object?>(v.Key, redacted) : v).ToList();
            inner.Log(logLevel, eventId, fields, exception, (_, _) => message);
        }
    }
}
