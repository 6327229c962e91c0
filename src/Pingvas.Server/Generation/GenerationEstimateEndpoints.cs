using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

using Pingvas.Server.Accounts;
using Pingvas.Server.Developer;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.Generation;

/// <summary>The answer of an estimate: the price, and the problem a submit would get now (null when it would be taken).</summary>
public sealed record EstimateResponse(int? Credits, bool Allowed, ProblemDetails? Problem);

public static class GenerationEstimateEndpoints
{
    /// <summary>
    /// POST /generations/estimate: the body of POST /generations, answered 200 with the price and
    /// the would-be refusal, so a form can show both while the user types. Nothing is queued or held.
    /// </summary>
    public static RouteGroupBuilder MapGenerationEstimate(this RouteGroupBuilder api)
    {
        api.MapPost("/generations/estimate", Estimate).WithTags("Generations").RequireAuthorization().AllowApiKey(ApiScopes.Generate)
            .WithName("estimateGeneration")
            .RequestExample(ApiExamples.Submit).ResponseExample(StatusCodes.Status200OK, ApiExamples.Estimate);
        return api;
    }

    private static async Task<Ok<EstimateResponse>> Estimate(GenerationRequest request, CurrentUser current, GenerationService generations, CancellationToken ct)
    {
        var estimate = await generations.EstimateAsync(current.Id, request, ct);
        var problem = estimate.Refusal is { } refusal ? GenerationEndpoints.ToProblem(refusal).ProblemDetails : null;
        return TypedResults.Ok(new EstimateResponse(estimate.Credits, estimate.Allowed, problem));
    }
}
