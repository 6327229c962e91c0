using Microsoft.AspNetCore.Http.HttpResults;

namespace Pingvas.Server.Presets;

/// <summary><c>/api/v1/admin/presets</c>: shared presets, under the admin group's policy and system context.</summary>
public static class AdminPresetEndpoints
{
    public static RouteGroupBuilder MapAdminPresets(this RouteGroupBuilder admin)
    {
        admin.MapGet("/presets", async (SharedPresets shared, CancellationToken ct) => TypedResults.Ok(await shared.ListAsync(ct))).WithTags("Admin");
        admin.MapPost("/presets", Create).WithTags("Admin");
        admin.MapPut("/presets/{id:guid}", Update).WithTags("Admin");
        admin.MapDelete("/presets/{id:guid}", Delete).WithTags("Admin");
        return admin;
    }

    private static async Task<Results<Created<SharedPresetDto>, ProblemHttpResult>> Create(SharedPresetRequest request, SharedPresets shared, CancellationToken ct)
    {
        var (dto, problem) = await shared.SaveAsync(null, request, ct);
        return problem is not null ? PresetEndpoints.ToProblem(problem) : TypedResults.Created($"/api/v1/admin/presets/{dto!.Id}", dto);
    }

    private static async Task<Results<Ok<SharedPresetDto>, ProblemHttpResult>> Update(Guid id, SharedPresetRequest request, SharedPresets shared, CancellationToken ct)
    {
        var (dto, problem) = await shared.SaveAsync(id, request, ct);
        return problem is not null ? PresetEndpoints.ToProblem(problem) : TypedResults.Ok(dto!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, SharedPresets shared, CancellationToken ct) =>
        await shared.DeleteAsync(id, ct) ? TypedResults.NoContent() : PresetEndpoints.NotFound();
}
