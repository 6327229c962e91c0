using Microsoft.AspNetCore.Http.HttpResults;

namespace Pingvas.Server.Workflows;

/// <summary><c>/api/v1/admin/workflows</c>: shared workflows, under the admin group's policy and system context.</summary>
public static class AdminWorkflowEndpoints
{
    public static RouteGroupBuilder MapAdminWorkflows(this RouteGroupBuilder admin)
    {
        admin.MapGet("/workflows", async (SharedWorkflows shared, CancellationToken ct) => TypedResults.Ok(new { items = await shared.ListAsync(ct) })).WithTags("Admin");
        admin.MapPost("/workflows", Create).WithTags("Admin");
        admin.MapPut("/workflows/{id:guid}", Update).WithTags("Admin");
        admin.MapDelete("/workflows/{id:guid}", Delete).WithTags("Admin");
        return admin;
    }

    private static async Task<Results<Created<SharedWorkflowDto>, ProblemHttpResult>> Create(SharedWorkflowRequest request, SharedWorkflows shared, CancellationToken ct)
    {
        var (dto, problem) = await shared.SaveAsync(null, request, ct);
        return problem is not null ? WorkflowEndpoints.ToProblem(problem) : TypedResults.Created($"/api/v1/admin/workflows/{dto!.Workflow.Id}", dto);
    }

    private static async Task<Results<Ok<SharedWorkflowDto>, ProblemHttpResult>> Update(Guid id, SharedWorkflowRequest request, SharedWorkflows shared, CancellationToken ct)
    {
        var (dto, problem) = await shared.SaveAsync(id, request, ct);
        return problem is not null ? WorkflowEndpoints.ToProblem(problem) : dto is null ? WorkflowEndpoints.NotFound() : TypedResults.Ok(dto);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, SharedWorkflows shared, CancellationToken ct) =>
        await shared.DeleteAsync(id, ct) ? TypedResults.NoContent() : WorkflowEndpoints.NotFound();
}
