using System.Text;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Pingvas.Server.Hosting.OpenApi;

/// <summary>One HTTP route of the running app as the document names it: method, template, endpoint.</summary>
public sealed record OpenApiRoute(string Method, string Path, RouteEndpoint Endpoint)
{
    public bool IsAnonymous =>
        Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null || Endpoint.Metadata.GetMetadata<IAuthorizeData>() is null;

    /// <summary>Admin routes are authorized by the admin group's policy (sessions with TOTP only).</summary>
    public bool IsAdmin => Path.StartsWith("/api/v1/admin/", StringComparison.Ordinal);
}

/// <summary>The routes the OpenAPI document must describe, read from the app's endpoint data sources.</summary>
public static class OpenApiRoutes
{
    /// <summary>Every API route with an HTTP method, except the document and the reference page themselves.</summary>
    public static IReadOnlyList<OpenApiRoute> All(IServiceProvider services) =>
        [.. services.GetServices<EndpointDataSource>()
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
                .Select(method => new OpenApiRoute(method.ToUpperInvariant(), Template(endpoint.RoutePattern), endpoint)))
            .Where(route => IsDocumented(route.Path))
            .DistinctBy(route => (route.Method, route.Path))];

    /// <summary>The API, not the web app, the hub, health probes or this document.</summary>
    public static bool IsDocumented(string path) => path.StartsWith("/api/", StringComparison.Ordinal);

    /// <summary>The OpenAPI form of a route: parameters as <c>{name}</c> without constraints, no trailing slash.</summary>
    public static string Template(RoutePattern pattern)
    {
        var path = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
            {
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternParameterPart parameter => $"{{{parameter.Name}}}",
                    RoutePatternSeparatorPart separator => separator.Content,
                    _ => "",
                });
            }
        }

        return Normalize(path.ToString());
    }

    /// <summary>A group's <c>MapGet("/")</c> ends in a slash; routing ignores it, and so does the document.</summary>
    public static string Normalize(string path) => path.Length > 1 ? path.TrimEnd('/') : path;
}
