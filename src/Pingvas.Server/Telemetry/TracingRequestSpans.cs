using System.Diagnostics;

namespace Pingvas.Server.Telemetry;

/// <summary>
/// Names ASP.NET Core's request span after its route (<c>POST /api/v1/generations</c>) and adds the
/// HTTP semantic-convention attributes, as OpenTelemetry's ASP.NET Core instrumentation would (that
/// package is not available here). Route templates, not paths: a path can hold an id or a share token.
/// Only a span some listener records is touched; without tracing this is one field read per request.
/// </summary>
public static class TracingRequestSpans
{
    public static IApplicationBuilder UseRequestSpanNames(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // Without a listener on this source ASP.NET Core's activity is a plain one (for log ids only).
        if (Activity.Current is not { IsAllDataRequested: true } request || request.Source.Name != "Microsoft.AspNetCore")
        {
            await next(context);
            return;
        }

        try
        {
            await next(context);
        }
        finally
        {
            var method = context.Request.Method;
            // A group's "/" endpoint ends in a slash ("/api/v1/generations/"): named as the request is written.
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText is { } raw ? "/" + raw.Trim('/') : null;
            request.DisplayName = route is null ? method : $"{method} {route}";
            request.SetTag("http.request.method", method);
            request.SetTag("http.route", route);
            request.SetTag("http.response.status_code", context.Response.StatusCode);
            request.SetTag("url.scheme", context.Request.Scheme);
            if (context.Response.StatusCode >= 500)
            {
                request.SetStatus(ActivityStatusCode.Error);
            }
        }
    });
}
