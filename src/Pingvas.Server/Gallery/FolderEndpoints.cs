using Microsoft.AspNetCore.Http.HttpResults;

using Pingvas.Server.Accounts;
using Pingvas.Server.Developer;
using Pingvas.Server.Hosting;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.Gallery;

/// <summary><c>/api/v1/folders</c>: the caller's folders (docs/gallery.md, Organising).</summary>
public static class FolderEndpoints
{
    public static RouteGroupBuilder MapFolders(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/folders").WithTags("Gallery").RequireAuthorization()
            .ProblemCodes(400, "folder_too_deep").ProblemCodes(404, "folder_not_found").ProblemCodes(409, "folder_limit", "folder_name_taken");
        group.MapGet("/", async (CurrentUser current, FolderService folders, CancellationToken ct) => TypedResults.Ok(await folders.ListAsync(current.Id, ct))).AllowApiKey(ApiScopes.Read);
        group.MapPost("/", Create).AllowApiKey(ApiScopes.GalleryWrite);
        group.MapPatch("/{id:guid}", Rename).AllowApiKey(ApiScopes.GalleryWrite);
        group.MapDelete("/{id:guid}", Delete).AllowApiKey(ApiScopes.GalleryWrite);
        return api;
    }

    private static async Task<Results<Created<FolderDto>, ProblemHttpResult>> Create(CreateFolderRequest request, CurrentUser current, FolderService folders, CancellationToken ct)
    {
        var outcome = await folders.CreateAsync(current.Id, request, ct);
        return outcome.Folder is { } folder ? TypedResults.Created($"/api/v1/folders/{folder.Id}", folder) : ToProblem(outcome);
    }

    private static async Task<Results<Ok<FolderDto>, ProblemHttpResult>> Rename(Guid id, RenameFolderRequest request, CurrentUser current, FolderService folders, CancellationToken ct)
    {
        var outcome = await folders.RenameAsync(current.Id, id, request, ct);
        return outcome.Folder is { } folder ? TypedResults.Ok(folder) : ToProblem(outcome);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, CurrentUser current, FolderService folders, CancellationToken ct) =>
        await folders.DeleteAsync(current.Id, id, ct) ? TypedResults.NoContent() : GalleryProblems.FolderNotFound();

    private static ProblemHttpResult ToProblem(FolderOutcome outcome) => outcome.Refusal switch
    {
        FolderRefusal.NotFound or FolderRefusal.ParentNotFound => GalleryProblems.FolderNotFound(),
        FolderRefusal.InvalidName => Problems.Validation("name", outcome.Detail!),
        FolderRefusal.TooDeep => Problems.Create(StatusCodes.Status400BadRequest, "folder_too_deep", "Folders nest one level deep.", outcome.Detail),
        FolderRefusal.NameTaken => Problems.Conflict("folder_name_taken", outcome.Detail!),
        FolderRefusal.Limit => Problems.Conflict("folder_limit", outcome.Detail!),
        _ => throw new InvalidOperationException($"Unknown folder refusal {outcome.Refusal}."),
    };
}
