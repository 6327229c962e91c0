using Microsoft.AspNetCore.RateLimiting;

using Pingvas.Server.Accounts;
using Pingvas.Server.Developer;

namespace Pingvas.Server.Hosting.OpenApi;

/// <summary>
/// The problem codes a route can answer, per status: those its own metadata names
/// (<see cref="ProblemCodes"/>) plus the ones its kind of route implies (signed in, API key, rate
/// limited, with a body, with an id), which the middleware in front of every such route answers.
/// </summary>
public static class OpenApiProblemResponses
{
    public static SortedDictionary<int, SortedSet<string>> For(OpenApiRoute route, bool hasBody, bool hasQuery)
    {
        var codes = new SortedDictionary<int, SortedSet<string>>();
        void Add(int status, params string[] names)
        {
            if (!codes.TryGetValue(status, out var set))
            {
                codes[status] = set = new SortedSet<string>(StringComparer.Ordinal);
            }

            set.UnionWith(names);
        }

        var metadata = route.Endpoint.Metadata;
        if (!route.IsAnonymous)
        {
            // No or an expired token, a revoked key, or an account suspended since the token was issued.
            Add(401, "unauthorized", "invalid_api_key", "account_suspended");
            if (route.IsAdmin)
            {
                Add(403, "forbidden", AdminRole.TotpRequired);
            }

            if (metadata.GetMetadata<ApiKeyAccess>() is not null)
            {
                Add(403, "api_key_scope_missing", "plan_forbids_api");
            }
            else
            {
                Add(403, "api_key_not_allowed");
            }
        }

        if (metadata.GetMetadata<EnableRateLimitingAttribute>() is not null)
        {
            Add(429, "rate_limited");
        }

        if (hasBody)
        {
            Add(400, "validation_failed");
            Add(413, "payload_too_large");
            Add(415, "unsupported_media_type");
        }

        if (hasQuery)
        {
            // Paging cursors, limits and filters are checked like body fields.
            Add(400, "validation_failed");
        }

        if (route.Path.Contains('{', StringComparison.Ordinal))
        {
            // A malformed or unknown id: the route constraint or the lookup answers not_found.
            Add(404, "not_found");
        }

        foreach (var declared in metadata.GetOrderedMetadata<ProblemCodes>())
        {
            Add(declared.Status, [.. declared.Codes]);
        }

        // Any route: a fault on our side, or the database restarting (Retry-After given).
        Add(500, "internal_error");
        Add(503, "unavailable");
        return codes;
    }
}
