using Microsoft.AspNetCore.Http.HttpResults;

using Pingvas.Server.Accounts;
using Pingvas.Server.Developer;
using Pingvas.Server.Hosting;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.Presets;

/// <summary><c>/api/v1/presets</c>: the caller's presets and the shared ones of the caller's plan.</summary>
public static class PresetEndpoints
{
    public static RouteGroupBuilder MapPresets(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/presets").WithTags("Presets").RequireAuthorization().ProblemCodes(404, "preset_not_found").ProblemCodes(409, "preset_limit");
        group.MapGet("/", async (CurrentUser current, PresetService presets, CancellationToken ct) => TypedResults.Ok(await presets.ListAsync(current.Id, ct))).AllowApiKey(ApiScopes.Read);
        group.MapGet("/default", Default);
        group.MapPost("/", Create);
        group.MapPatch("/{id:guid}", Update);
        group.MapDelete("/{id:guid}", Delete);
        return api;
    }

    public static ProblemHttpResult ToProblem(PresetProblem problem) => problem.Kind switch
    {
        PresetProblemKind.Invalid => Problems.Validation(new Dictionary<string, string[]>(problem.Errors!)),
        PresetProblemKind.Limit => Problems.Conflict("preset_limit", $"A user keeps at most {PresetService.MaxPresetsPerUser} presets; delete one first."),
        _ => NotFound(),
    };

    public static ProblemHttpResult NotFound() =>
        Problems.Create(StatusCodes.Status404NotFound, "preset_not_found", "Preset not found.", "No such preset.");

    private static async Task<Results<Ok<PresetDto>, ProblemHttpResult>> Default(string? model, CurrentUser current, PresetService presets, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            return Problems.Validation("model", "model names the model whose default preset is wanted.");
        }

        return await presets.DefaultAsync(current.Id, model, ct) is { } preset ? TypedResults.Ok(preset) : NotFound();
    }

    private static async Task<Results<Created<PresetDto>, ProblemHttpResult>> Create(SavePresetRequest request, CurrentUser current, PresetService presets, CancellationToken ct)
    {
        var (dto, problem) = await presets.CreateAsync(current.Id, request, ct);
        return problem is not null ? ToProblem(problem) : TypedResults.Created($"/api/v1/presets/{dto!.Id}", dto);
    }

    private static async Task<Results<Ok<PresetDto>, ProblemHttpResult>> Update(Guid id, SavePresetRequest request, CurrentUser current, PresetService presets, CancellationToken ct)
    {
        var (dto, problem) = await presets.UpdateAsync(current.Id, id, request, ct);
        return problem is not null ? ToProblem(problem) : TypedResults.Ok(dto!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, CurrentUser current, PresetService presets, CancellationToken ct) =>
        await presets.DeleteAsync(current.Id, id, ct) ? TypedResults.NoContent() : NotFound();
}
