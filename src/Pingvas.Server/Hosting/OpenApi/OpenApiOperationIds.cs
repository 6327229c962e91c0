using System.Globalization;

namespace Pingvas.Server.Hosting.OpenApi;

/// <summary>
/// lowerCamelCase verb+noun operation ids. An endpoint's name (<c>.WithName</c>) wins; the SDKs'
/// fixed ids are set that way. Others are derived from the method and path, e.g.
/// <c>GET /api/v1/folders</c> → <c>listFolders</c>, <c>POST /api/v1/images/{id}/restore</c> → <c>restoreImage</c>.
/// </summary>
public static class OpenApiOperationIds
{
    public static string For(OpenApiRoute route) =>
        route.Endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? Derive(route.Method, route.Path);

    public static string Derive(string method, string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).SkipWhile(s => s is "api" or "v1").ToList();
        var endsWithParameter = segments.Count > 0 && IsParameter(segments[^1]);
        var literals = segments.Where(s => !IsParameter(s)).ToList();

        // A literal after a parameter names an action or a sub-collection of that one item.
        string? action = null;
        if (method == "POST" && segments.Count >= 2 && !endsWithParameter && !IsCollection(segments[^1]))
        {
            action = segments[^1];
            literals.RemoveAt(literals.Count - 1);
        }

        var noun = string.Concat(literals.Select((s, i) =>
            Pascal(i < literals.Count - 1 || endsWithParameter || action is not null || method is "POST" or "PUT" or "PATCH" or "DELETE" ? Singular(s) : s)));
        var verb = action is not null ? Camel(action)
            : method switch
            {
                "GET" => !endsWithParameter && IsCollection(segments.LastOrDefault() ?? "") ? "list" : "get",
                "POST" => "create",
                "PUT" or "PATCH" => "update",
                "DELETE" => "delete",
                _ => method.ToLowerInvariant(),
            };
        return verb + noun;
    }

    private static bool IsParameter(string segment) => segment.StartsWith('{');

    private static bool IsCollection(string segment) => segment.EndsWith('s') && !segment.EndsWith("ss", StringComparison.Ordinal);

    private static string Singular(string segment) =>
        segment.EndsWith("ies", StringComparison.Ordinal) ? segment[..^3] + "y"
        : IsCollection(segment) ? segment[..^1]
        : segment;

    private static string Pascal(string kebab) =>
        string.Concat(kebab.Split('-', StringSplitOptions.RemoveEmptyEntries)
            .Select(word => char.ToUpper(word[0], CultureInfo.InvariantCulture) + word[1..]));

    private static string Camel(string kebab)
    {
        var pascal = Pascal(kebab);
        return char.ToLower(pascal[0], CultureInfo.InvariantCulture) + pascal[1..];
    }
}
