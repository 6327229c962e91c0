using System.Globalization;

using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;

namespace Pingvas.Server.Developer;

/// <summary>
/// Fail-closed authorization of key-authenticated requests, after authentication and the tenant key:
/// an endpoint without <see cref="ApiKeyAccess"/> metadata (and the SignalR hub) refuses every key;
/// a key lacking the endpoint's scope is refused with the scope named; an owner whose plan has no API
/// is refused. Limited plans get the IETF RateLimit headers on every key response.
/// </summary>
public static class ApiKeyGate
{
    public static IApplicationBuilder UseApiKeyGate(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (!ApiKeyRequest.IsKeyPrincipal(context.User))
            {
                await next(context);
                return;
            }

            var key = ApiKeyRequest.Of(context)!;
            if (key.MonthlyLimit is { } limit and > 0)
            {
                await AddRateLimitHeadersAsync(context, key, limit);
            }

            var endpoint = context.GetEndpoint();
            if (endpoint is null)
            {
                // No route matched: the 404 tells nothing a key should not know.
                await next(context);
                return;
            }

            var access = endpoint.Metadata.GetMetadata<ApiKeyAccess>();
            if (access is null || endpoint.Metadata.GetMetadata<HubMetadata>() is not null)
            {
                await ApiKeyProblems.NotAllowed().ExecuteAsync(context);
                return;
            }

            if (key.MonthlyLimit == 0)
            {
                await ApiKeyProblems.PlanForbidsApi().ExecuteAsync(context);
                return;
            }

            if (!key.Scopes.Contains(access.Scope))
            {
                await ApiKeyProblems.ScopeMissing(access.Scope).ExecuteAsync(context);
                return;
            }

            await next(context);
        });

    /// <summary>The IETF RateLimit headers of a limited plan, written as the answer starts so a submit's own call is counted.</summary>
    private static async Task AddRateLimitHeadersAsync(HttpContext context, ApiKeyRequest key, int limit)
    {
        var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var period = ApiPeriod.Of(now);
        var db = context.RequestServices.GetRequiredService<PingvasDb>();
        key.Used = await db.Set<ApiUsage>().AsNoTracking().Where(u => u.UserId == key.UserId && u.Period == period)
            .Select(u => (int?)u.Calls).SingleOrDefaultAsync(context.RequestAborted) ?? 0;
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers["RateLimit-Limit"] = limit.ToString(CultureInfo.InvariantCulture);
            headers["RateLimit-Remaining"] = Math.Max(0, limit - (key.Used ?? 0)).ToString(CultureInfo.InvariantCulture);
            headers["RateLimit-Reset"] = ApiPeriod.SecondsToReset(now).ToString(CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        });
    }
}
