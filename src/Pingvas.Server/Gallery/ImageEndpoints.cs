using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Developer;
using Pingvas.Server.Hosting;
using Pingvas.Server.Jobs;
using Pingvas.Server.Storage;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.Gallery;

/// <summary>A model in the caller's gallery and how many of the caller's images it made.</summary>
public sealed record ImageModelCountDto(string Model, int Images);

public sealed record ImageModelsResponse(IReadOnlyList<ImageModelCountDto> Items);

public static class ImageEndpoints
{
    public static RouteGroupBuilder MapImages(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/images").WithTags("Gallery").RequireAuthorization()
            .ProblemCodes(404, "image_not_found", "folder_not_found").ProblemCodes(409, "image_in_use");
        group.MapGet("/", List).AllowApiKey(ApiScopes.Read).WithName("listImages");
        group.MapGet("/models", Models).AllowApiKey(ApiScopes.Read);
        group.MapGet("/{id:guid}", Get).AllowApiKey(ApiScopes.Read).WithName("getImage");
        group.MapGet("/{id:guid}/content", Content).AllowApiKey(ApiScopes.Read).WithName("getImageContent")
            .Produces(StatusCodes.Status200OK, contentType: "image/png", additionalContentTypes: ["image/webp"]);
        group.MapPatch("/{id:guid}", Update).AllowApiKey(ApiScopes.GalleryWrite);
        group.MapPost("/move", Move).AllowApiKey(ApiScopes.GalleryWrite);
        group.MapPost("/trash", TrashMany).AllowApiKey(ApiScopes.GalleryWrite);
        group.MapPost("/{id:guid}/restore", Restore).AllowApiKey(ApiScopes.GalleryWrite);
        group.MapDelete("/{id:guid}", Delete).AllowApiKey(ApiScopes.GalleryWrite);
        group.MapDelete("/trash", EmptyTrash);
        return api;
    }

    /// <summary>The gallery or the trash, searched, filtered, sorted and keyset-paged: <see cref="ImageSearch"/>.</summary>
    private static Task<Results<Ok<Page<ImageDto>>, ProblemHttpResult>> List(
        [AsParameters] ImageListParameters parameters, CurrentUser current, PingvasDb db, IObjectUrls urls, GalleryOptions options, CancellationToken ct) =>
        ImageSearch.ListAsync(parameters, current.Id, db, urls, options, ct);

    /// <summary>The models of the caller's images with their counts, most images first (the gallery's filter offers these).</summary>
    private static async Task<Ok<ImageModelsResponse>> Models(CurrentUser current, PingvasDb db, CancellationToken ct)
    {
        var counts = await db.Images.AsNoTracking().Where(i => i.UserId == current.Id)
            .GroupBy(i => i.ModelId)
            .Select(g => new ImageModelCountDto(g.Key, g.Count()))
            .ToListAsync(ct);
        return TypedResults.Ok(new ImageModelsResponse([.. counts.OrderByDescending(c => c.Images).ThenBy(c => c.Model, StringComparer.Ordinal)]));
    }

    private static async Task<Results<Ok<ImageDto>, ProblemHttpResult>> Get(Guid id, CurrentUser current, ImageOrganizer organizer, CancellationToken ct) =>
        await organizer.GetAsync(current.Id, id, ct) is { } image ? TypedResults.Ok(image) : Problems.NotFound("image");

    /// <summary>The image bytes for its owner's token, for clients that prefer not to use signed URLs.</summary>
    private static async Task<IResult> Content(Guid id, string? size, CurrentUser current, PingvasDb db, IObjectStore store, CancellationToken ct)
    {
        var image = await db.Images.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id && i.UserId == current.Id, ct);

        // A slow client may take minutes over the bytes: give back the pooled connection, which on
        // PostgreSQL the request holds for its whole scope (AuthSetup), before streaming them.
        await db.Database.CloseConnectionAsync();
        if (image is null)
        {
            return Problems.NotFound("image");
        }

        var key = size switch
        {
            null or "" or "original" => image.OriginalKey,
            "256" => image.Thumb256Key,
            "512" => image.Thumb512Key,
            _ => null,
        };
        if (key is null)
        {
            return Problems.Validation("size", "size must be original, 256 or 512.");
        }

        return await store.GetAsync(key, ct) is { } found ? Results.Stream(found.Content, found.ContentType) : Problems.NotFound("image");
    }

    private static async Task<Results<Ok<ImageDto>, ProblemHttpResult>> Update(Guid id, UpdateImageRequest request, CurrentUser current, ImageOrganizer organizer, CancellationToken ct) =>
        ToResult(await organizer.UpdateAsync(current.Id, id, request, ct));

    private static async Task<Results<Ok<MovedResponse>, ProblemHttpResult>> Move(MoveImagesRequest request, CurrentUser current, ImageOrganizer organizer, CancellationToken ct) =>
        ToResult(await organizer.MoveAsync(current.Id, request, ct));

    private static async Task<Results<Ok<TrashedResponse>, ProblemHttpResult>> TrashMany(ImageIdsRequest request, CurrentUser current, Trash trash, CancellationToken ct)
    {
        if (ImageOrganizer.ReadIds(request.ImageIds) is not { } ids)
        {
            return Problems.Validation("imageIds", $"imageIds must hold 1 to {ImageOrganizer.MaxBatch} image ids.");
        }

        return await trash.TrashAsync(current.Id, ids, ct) is { } trashed ? TypedResults.Ok(new TrashedResponse(trashed)) : GalleryProblems.ImageNotFound();
    }

    private static async Task<Results<Ok<ImageDto>, ProblemHttpResult>> Restore(Guid id, CurrentUser current, Trash trash, CancellationToken ct) =>
        await trash.RestoreAsync(current.Id, id, ct) is { } image ? TypedResults.Ok(image) : GalleryProblems.ImageNotFound();

    /// <summary>
    /// Without <paramref name="permanent"/>: to the trash, objects kept (a waiting job may still read it
    /// as its input). Of concurrent deletes exactly one trashes it (204) and the others find nothing (404).
    /// With <c>permanent=true</c>: an image already in the trash is purged now with its objects; 409
    /// image_in_use while a queued or running job names it as an input (checked under the owner's lock,
    /// which a submit holds while it resolves its inputs).
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, bool? permanent, CurrentUser current, Trash trash, CancellationToken ct)
    {
        if (permanent != true)
        {
            return await trash.TrashAsync(current.Id, [id], ct) is 1 ? TypedResults.NoContent() : GalleryProblems.ImageNotFound();
        }

        return await trash.PurgeOneAsync(current.Id, id, ct) switch
        {
            PurgeOneStatus.Purged => TypedResults.NoContent(),
            PurgeOneStatus.InUse => Problems.Conflict("image_in_use", "A queued or running generation uses this image as its input; delete it when the generation has finished."),
            _ => GalleryProblems.ImageNotFound(),
        };
    }

    private static async Task<Ok<PurgedResponse>> EmptyTrash(CurrentUser current, Trash trash, CancellationToken ct) =>
        TypedResults.Ok(new PurgedResponse(await trash.EmptyAsync(current.Id, ct)));

    private static Results<Ok<T>, ProblemHttpResult> ToResult<T>(OrganizeOutcome<T> outcome) => outcome.Status switch
    {
        OrganizeStatus.Done => TypedResults.Ok(outcome.Value!),
        OrganizeStatus.Invalid => Problems.Validation(outcome.Field!, outcome.Detail!),
        OrganizeStatus.FolderNotFound => GalleryProblems.FolderNotFound(),
        _ => GalleryProblems.ImageNotFound(),
    };
}
