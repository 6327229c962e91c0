using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Developer;
using Pingvas.Server.Hosting;
using Pingvas.Server.Hosting.OpenApi;
using Pingvas.Server.Jobs;

namespace Pingvas.Server.Generation;

public static class GenerationEndpoints
{
    public static RouteGroupBuilder MapGenerations(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/generations").WithTags("Generations").RequireAuthorization();
        group.MapPost("/", Submit).RequireRateLimiting(RateLimits.Submit).AllowApiKey(ApiScopes.Generate).WithName("createGeneration")
            .RequestExample(ApiExamples.Submit).ResponseExample(StatusCodes.Status202Accepted, ApiExamples.Queued)
            .ProblemCodes(400, "validation_failed", "invalid_image_reference", "image_too_large", "lora_family_mismatch", "control_unsupported",
                "invalid_workflow", "workflow_node_forbidden", "workflow_too_large", "invalid_workflow_input", "unknown_workflow_model")
            .ProblemCodes(402, "insufficient_credits")
            .ProblemCodes(403, "plan_forbids_model", "plan_limit", "plan_forbids_feature", "storage_quota_exceeded")
            .ProblemCodes(404, "workflow_not_found", "lora_not_found", "image_not_found")
            .ProblemCodes(409, "idempotency_key_reused", "workflow_needs_gpu_worker")
            .ProblemCodes(422, "model_unavailable")
            .ProblemCodes(429, "queue_limit", "api_quota_exceeded");
        group.MapGet("/", List).AllowApiKey(ApiScopes.Read).WithName("listGenerations");
        group.MapGet("/{id:guid}", Get).AllowApiKey(ApiScopes.Read).WithName("getGeneration");
        group.MapPost("/{id:guid}/cancel", Cancel).AllowApiKey(ApiScopes.Generate).WithName("cancelGeneration");

        // Not under the submit rate limit: it only ever takes work away.
        group.MapPost("/cancel-queued", CancelQueued);
        return api;
    }

    private static async Task<Results<Accepted<GenerationDto>, ProblemHttpResult>> Submit(
        GenerationRequest request, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, CurrentUser current, GenerationService generations, CancellationToken ct)
    {
        var outcome = await generations.SubmitAsync(current.Id, request, string.IsNullOrWhiteSpace(idempotencyKey) ? null : idempotencyKey.Trim(), ct);
        return outcome is SubmitOutcome.Accepted accepted
            ? TypedResults.Accepted($"/api/v1/generations/{accepted.Generation.Id}", accepted.Generation)
            : ToProblem(outcome);
    }

    /// <summary>The problem answer of a refused submit; the estimate endpoint embeds the same one.</summary>
    internal static ProblemHttpResult ToProblem(SubmitOutcome outcome) => outcome switch
    {
        SubmitOutcome.Invalid invalid => Problems.Validation(invalid.Errors),
        SubmitOutcome.ShortOfCredits credits => Problems.InsufficientCredits(credits.Needed, credits.Balance),
        SubmitOutcome.Refused refused => Refusal(refused),
        _ => throw new InvalidOperationException($"Submit outcome {outcome.GetType().Name} is not a refusal."),
    };

    private static ProblemHttpResult Refusal(SubmitOutcome.Refused refused) => refused.Reason switch
    {
        SubmitRefusal.PlanForbidsModel => Problems.Forbidden("plan_forbids_model", refused.Detail),
        SubmitRefusal.PlanLimit => Problems.Forbidden("plan_limit", refused.Detail),
        SubmitRefusal.ModelUnavailable => Problems.Create(StatusCodes.Status422UnprocessableEntity, "model_unavailable", "Model unavailable.", refused.Detail),
        SubmitRefusal.QueueLimit => Problems.Create(StatusCodes.Status429TooManyRequests, "queue_limit", "Too many queued generations.", refused.Detail),
        SubmitRefusal.IdempotencyKeyReused => Problems.Conflict("idempotency_key_reused", refused.Detail),
        SubmitRefusal.PlanForbidsFeature => Problems.Create(StatusCodes.Status403Forbidden, "plan_forbids_feature", "Not allowed by your plan.", refused.Detail,
            new Dictionary<string, object?> { ["feature"] = refused.Subject }),
        SubmitRefusal.InvalidImageReference => Problems.Create(StatusCodes.Status400BadRequest, "invalid_image_reference", "Unknown input image.", refused.Detail,
            new Dictionary<string, object?> { ["field"] = refused.Subject }),
        SubmitRefusal.ImageTooLarge => Problems.Create(StatusCodes.Status400BadRequest, "image_too_large", "The image is too large for your plan.", refused.Detail),
        SubmitRefusal.WorkflowRejected => Problems.Create(StatusCodes.Status400BadRequest, refused.Subject ?? "invalid_workflow", "The workflow cannot run.", refused.Detail,
            refused.Extensions is null ? null : new Dictionary<string, object?>(refused.Extensions)),
        SubmitRefusal.WorkflowNotFound => Problems.Create(StatusCodes.Status404NotFound, "workflow_not_found", "Workflow not found.", refused.Detail),
        SubmitRefusal.WorkflowNeedsGpuWorker => Problems.Conflict("workflow_needs_gpu_worker", refused.Detail),
        SubmitRefusal.LoraNotFound => Problems.Create(StatusCodes.Status404NotFound, "lora_not_found", "Unknown LoRA.", refused.Detail,
            new Dictionary<string, object?> { ["field"] = refused.Subject }),
        SubmitRefusal.LoraFamilyMismatch => Problems.Create(StatusCodes.Status400BadRequest, "lora_family_mismatch", "The LoRA does not fit the model.", refused.Detail,
            new Dictionary<string, object?> { ["field"] = refused.Subject }),
        SubmitRefusal.ControlUnsupported => Problems.Create(StatusCodes.Status400BadRequest, "control_unsupported", "Not supported by the model.", refused.Detail,
            new Dictionary<string, object?> { ["field"] = refused.Subject }),
        SubmitRefusal.ImageNotFound => Problems.Create(StatusCodes.Status404NotFound, "image_not_found", "Image not found.", refused.Detail,
            new Dictionary<string, object?> { ["field"] = refused.Subject }),
        SubmitRefusal.StorageQuotaExceeded => Problems.Forbidden("storage_quota_exceeded", refused.Detail),
        SubmitRefusal.ApiQuotaExceeded => Problems.Create(StatusCodes.Status429TooManyRequests, "api_quota_exceeded", "API quota exceeded.", refused.Detail,
            refused.Extensions is null ? null : new Dictionary<string, object?>(refused.Extensions)),
        _ => throw new InvalidOperationException($"Unknown refusal {refused.Reason}."),
    };

    private static async Task<Results<Ok<GenerationDto>, ProblemHttpResult>> Get(Guid id, CurrentUser current, PingvasDb db, GenerationService generations, CancellationToken ct)
    {
        // The owner is part of the lookup: another user's job is as missing as a deleted one.
        var job = await db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id && j.UserId == current.Id, ct);
        return job is null ? Problems.NotFound("generation") : TypedResults.Ok(await generations.GetDtoAsync(job, ct));
    }

    private static async Task<Results<Ok<Page<GenerationDto>>, ProblemHttpResult>> List(
        string? cursor, string? limit, string? status, CurrentUser current, PingvasDb db, GenerationService generations, CancellationToken ct)
    {
        if (!Paging.TryRead(cursor, limit, out var after, out var take, out var errors))
        {
            return Problems.Validation(errors);
        }

        JobStatus? filter = null;
        if (!string.IsNullOrEmpty(status))
        {
            // Exact names only: Enum.TryParse would also accept numbers and comma lists of flags.
            filter = Enum.GetValues<JobStatus>().Cast<JobStatus?>()
                .FirstOrDefault(s => string.Equals(s.ToString(), status, StringComparison.OrdinalIgnoreCase));
            if (filter is null)
            {
                return Problems.Validation("status", "status must be one of queued, running, succeeded, failed, cancelled.");
            }
        }

        var query = db.Jobs.AsNoTracking().Where(j => j.UserId == current.Id);
        if (filter is not null)
        {
            query = query.Where(j => j.Status == filter);
        }

        if (after is { } a)
        {
            query = query.Where(j => j.Id.CompareTo(a) < 0);
        }

        var rows = await query.OrderByDescending(j => j.Id).Take(take + 1).ToListAsync(ct);
        var more = rows.Count > take;
        var page = rows.Take(take).ToList();
        return TypedResults.Ok(new Page<GenerationDto>(await generations.GetDtosAsync(page, ct), more ? page[^1].Id.ToString("N") : null));
    }

    private static async Task<Ok<CancelQueuedResponse>> CancelQueued(CurrentUser current, GenerationService generations, CancellationToken ct) =>
        TypedResults.Ok(await generations.CancelQueuedAsync(current.Id, ct));

    private static async Task<Results<Ok<GenerationDto>, ProblemHttpResult>> Cancel(Guid id, CurrentUser current, GenerationService generations, CancellationToken ct) =>
        await generations.CancelAsync(current.Id, id, ct) is { } dto ? TypedResults.Ok(dto) : Problems.NotFound("generation");
}
