using Microsoft.AspNetCore.Http.HttpResults;

using Pingvas.Server.Accounts;
using Pingvas.Server.Hosting;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.YourData;

/// <summary><c>POST /me/export</c>, <c>GET /me/export/{id}</c>, <c>GET /me/exports</c> (docs/gallery.md "Your data").</summary>
public static class ExportEndpoints
{
    public static RouteGroupBuilder MapExports(this RouteGroupBuilder api)
    {
        var me = api.MapGroup("/me").WithTags("Your data").RequireAuthorization().ProblemCodes(404, "export_not_found").ProblemCodes(409, "export_in_progress");
        me.MapPost("/export", RequestAsync);
        me.MapGet("/export/{id:guid}", GetAsync);
        me.MapGet("/exports", ListAsync);
        return api;
    }

    private static async Task<Results<Accepted<ExportDto>, ProblemHttpResult>> RequestAsync(CurrentUser current, ExportService exports, CancellationToken ct)
    {
        var outcome = await exports.RequestAsync(current.Id, ct);
        return outcome.Created is { } created
            ? TypedResults.Accepted($"/api/v1/me/export/{created.Id}", created)
            : Problems.Create(StatusCodes.Status409Conflict, "export_in_progress", "Conflict.", "An export is already being built; wait for it to finish.",
                new Dictionary<string, object?> { ["exportId"] = outcome.InProgress!.Id });
    }

    private static async Task<Results<Ok<ExportDto>, ProblemHttpResult>> GetAsync(Guid id, CurrentUser current, ExportService exports, CancellationToken ct) =>
        await exports.GetAsync(current.Id, id, ct) is { } export
            ? TypedResults.Ok(export)
            : Problems.Create(StatusCodes.Status404NotFound, "export_not_found", "Not found.", "No such export.");

    private static async Task<Ok<ExportListDto>> ListAsync(CurrentUser current, ExportService exports, CancellationToken ct) =>
        TypedResults.Ok(await exports.ListAsync(current.Id, ct));
}
