using Microsoft.AspNetCore.Http.HttpResults;

using Pingvas.Server.Accounts;
using Pingvas.Server.Developer;
using Pingvas.Server.Hosting;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.Workflows;

/// <summary><c>/api/v1/workflows</c>: the caller's saved workflows and the shared ones of the caller's plan.</summary>
public static class WorkflowEndpoints
{
    public static RouteGroupBuilder MapWorkflows(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/workflows").WithTags("Workflows").RequireAuthorization()
            .ProblemCodes(400, "invalid_image_reference", "invalid_workflow", "workflow_node_forbidden", "workflow_too_large", "invalid_workflow_input", "unknown_workflow_model")
            .ProblemCodes(404, "workflow_not_found");
        group.MapGet("/", async (CurrentUser current, WorkflowLibrary library, CancellationToken ct) => TypedResults.Ok(await library.ListAsync(current.Id, ct))).AllowApiKey(ApiScopes.Read);
        group.MapGet("/{id:guid}", Get);
        group.MapPost("/", Create);
        group.MapPut("/{id:guid}", Update);
        group.MapDelete("/{id:guid}", Delete);
        return api;
    }

    /// <summary>The problem of a refused save: field errors as validation, workflow checks with their own code.</summary>
    public static ProblemHttpResult ToProblem(SaveProblem problem)
    {
        if (problem.Workflow is { } error)
        {
            var extensions = error.NodeId is null ? null : new Dictionary<string, object?> { ["nodeType"] = error.NodeType, ["nodeId"] = error.NodeId };
            return Problems.Create(StatusCodes.Status400BadRequest, error.Code, "The workflow cannot be saved.", error.Detail, extensions);
        }

        return problem.Field == "thumbnailImageId"
            ? Problems.Create(StatusCodes.Status400BadRequest, "invalid_image_reference", "Unknown image.", problem.Message,
                new Dictionary<string, object?> { ["field"] = problem.Field })
            : Problems.Validation(problem.Field!, problem.Message!);
    }

    public static ProblemHttpResult NotFound() =>
        Problems.Create(StatusCodes.Status404NotFound, "workflow_not_found", "Workflow not found.", "No such workflow.");

    private static async Task<Results<Ok<WorkflowDetail>, ProblemHttpResult>> Get(Guid id, CurrentUser current, WorkflowLibrary library, CancellationToken ct) =>
        await library.GetAsync(current.Id, id, ct) is { } detail ? TypedResults.Ok(detail) : NotFound();

    private static async Task<Results<Created<WorkflowDetail>, ProblemHttpResult>> Create(SaveWorkflowRequest request, CurrentUser current, WorkflowLibrary library, CancellationToken ct)
    {
        var (detail, problem) = await library.CreateAsync(current.Id, request, ct);
        return problem is not null ? ToProblem(problem) : TypedResults.Created($"/api/v1/workflows/{detail!.Id}", detail);
    }

    private static async Task<Results<Ok<WorkflowDetail>, ProblemHttpResult>> Update(Guid id, SaveWorkflowRequest request, CurrentUser current, WorkflowLibrary library, CancellationToken ct)
    {
        var (detail, problem) = await library.UpdateAsync(current.Id, id, request, ct);
        return problem is not null ? ToProblem(problem) : detail is null ? NotFound() : TypedResults.Ok(detail);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, CurrentUser current, WorkflowLibrary library, CancellationToken ct) =>
        await library.DeleteAsync(current.Id, id, ct) ? TypedResults.NoContent() : NotFound();
}
