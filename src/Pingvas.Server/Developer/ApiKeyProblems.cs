using Microsoft.AspNetCore.Http.HttpResults;

using Pingvas.Server.Hosting;

namespace Pingvas.Server.Developer;

/// <summary>The problems of key-authenticated requests (docs/developer-platform.md "API keys").</summary>
public static class ApiKeyProblems
{
    public static ProblemHttpResult NotAllowed() =>
        Problems.Create(StatusCodes.Status403Forbidden, "api_key_not_allowed", "Not available to API keys.",
            "This endpoint cannot be used with an API key; sign in instead.");

    public static ProblemHttpResult ScopeMissing(string scope) =>
        Problems.Create(StatusCodes.Status403Forbidden, "api_key_scope_missing", "The API key lacks a scope.",
            $"This endpoint needs an API key with the '{scope}' scope.", new Dictionary<string, object?> { ["requiredScope"] = scope });

    public static ProblemHttpResult PlanForbidsApi() =>
        Problems.Create(StatusCodes.Status403Forbidden, "plan_forbids_api", "Not allowed by your plan.",
            "Your plan does not include API access; upgrade to Starter or above to use API keys.");
}
