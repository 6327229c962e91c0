using Microsoft.AspNetCore.Http.HttpResults;

using Pingvas.Server.Accounts;
using Pingvas.Server.Hosting;
using Pingvas.Server.Hosting.OpenApi;
using Pingvas.Server.Realtime;

namespace Pingvas.Server.Developer;

/// <summary><c>/api/v1/keys</c>: the caller's API keys and their usage. Session only: no <c>AllowApiKey</c> here.</summary>
public static class ApiKeyEndpoints
{
    public static RouteGroupBuilder MapApiKeys(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/keys").WithTags("API keys").RequireAuthorization()
            .ProblemCodes(403, "plan_forbids_api").ProblemCodes(404, "api_key_not_found").ProblemCodes(409, "api_key_limit");
        group.MapPost("/", Create);
        group.MapGet("/", async (CurrentUser current, ApiKeyService keys, CancellationToken ct) => TypedResults.Ok(await keys.ListAsync(current.Id, ct)));
        group.MapGet("/usage", Usage);
        group.MapDelete("/{id:guid}", Revoke);
        return api;
    }

    private static async Task<Results<Created<CreatedApiKeyDto>, ProblemHttpResult>> Create(CreateApiKeyRequest request, CurrentUser current, ApiKeyService keys, CancellationToken ct)
    {
        var (key, problem, errors) = await keys.CreateAsync(current.Id, request, ct);
        return problem switch
        {
            null => TypedResults.Created($"/api/v1/keys/{key!.Id}", key),
            ApiKeyProblem.Invalid => Problems.Validation(errors!),
            ApiKeyProblem.PlanForbidsApi => ApiKeyProblems.PlanForbidsApi(),
            _ => Problems.Conflict("api_key_limit", $"A user keeps at most {ApiKeyService.MaxLiveKeysPerUser} live API keys; revoke one first."),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(Guid id, CurrentUser current, ApiKeyService keys, IHubSignOut streams, CancellationToken ct)
    {
        if (!await keys.RevokeAsync(current.Id, id, ct))
        {
            return Problems.Create(StatusCodes.Status404NotFound, "api_key_not_found", "API key not found.", "No such API key.");
        }

        // Committed: streams opened with the key end now, not when their client leaves (None: finished even if this client hangs up).
        await streams.KeyRevokedAsync(id, CancellationToken.None);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ApiUsageDto>, ProblemHttpResult>> Usage(string? days, CurrentUser current, ApiKeyService keys, CancellationToken ct)
    {
        var count = 30;
        if (days is not null && (!int.TryParse(days, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count) || count is < 1 or > 90))
        {
            return Problems.Validation("days", "days must be a whole number from 1 to 90.");
        }

        return TypedResults.Ok(await keys.UsageAsync(current.Id, count, ct));
    }
}
