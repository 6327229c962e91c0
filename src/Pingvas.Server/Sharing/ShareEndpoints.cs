using Microsoft.AspNetCore.Http.HttpResults;

using Pingvas.Server.Accounts;
using Pingvas.Server.Hosting;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.Sharing;

/// <summary><c>/api/v1/shares</c>: the caller's share links. Another user's link is 404 <c>share_not_found</c>.</summary>
public static class ShareEndpoints
{
    public static RouteGroupBuilder MapShares(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/shares").WithTags("Sharing").RequireAuthorization().ProblemCodes(404, "share_not_found", "image_not_found", "folder_not_found");
        group.MapPost("/", Create);
        group.MapGet("/", List);
        group.MapGet("/{id:guid}", Get);
        group.MapDelete("/{id:guid}", Revoke);
        return api;
    }

    private static async Task<Results<Created<ShareDto>, ProblemHttpResult>> Create(CreateShareRequest body, CurrentUser current, ShareService shares, CancellationToken ct) =>
        await shares.CreateAsync(current.Id, body, ct) switch
        {
            ShareOutcome.Created created => TypedResults.Created($"/api/v1/shares/{created.Share.Id}", created.Share),
            ShareOutcome.Invalid invalid => Problems.Validation(invalid.Field, invalid.Detail),
            ShareOutcome.ImageNotFound => Problems.Create(StatusCodes.Status404NotFound, "image_not_found", "Not found.", "No such image."),
            ShareOutcome.FolderNotFound => Problems.Create(StatusCodes.Status404NotFound, "folder_not_found", "Not found.", "No such folder."),
            var other => throw new InvalidOperationException($"Unknown share outcome {other.GetType().Name}."),
        };

    /// <param name="imageId">Only the links to this image (the share dialog lists a target's links).</param>
    /// <param name="folderId">Only the links to this folder.</param>
    private static async Task<Ok<ShareListResponse>> List(Guid? imageId, Guid? folderId, CurrentUser current, ShareService shares, CancellationToken ct) =>
        TypedResults.Ok(await shares.ListAsync(current.Id, imageId, folderId, ct));

    private static async Task<Results<Ok<ShareDto>, ProblemHttpResult>> Get(Guid id, CurrentUser current, ShareService shares, CancellationToken ct) =>
        await shares.GetAsync(current.Id, id, ct) is { } share ? TypedResults.Ok(share) : NotFound();

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(Guid id, CurrentUser current, ShareService shares, CancellationToken ct) =>
        await shares.RevokeAsync(current.Id, id, ct) ? TypedResults.NoContent() : NotFound();

    public static ProblemHttpResult NotFound() =>
        Problems.Create(StatusCodes.Status404NotFound, "share_not_found", "Not found.", "This link does not exist or has expired.");
}
