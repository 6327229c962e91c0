using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Hosting;
using Pingvas.Server.Jobs;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Gallery;

/// <summary>A model in the caller's gallery and how many of the caller's images it made.</summary>
public sealed record ImageModelCountDto(string Model, int Images);

public sealed record ImageModelsResponse(IReadOnlyList<ImageModelCountDto> Items);

public static class ImageEndpoints
{
    public static RouteGroupBuilder MapImages(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/images").WithTags("Gallery").RequireAuthorization();
        group.MapGet("/", List);
        group.MapGet("/models", Models);
        group.MapGet("/{id:guid}", Get);
        group.MapGet("/{id:guid}/content", Content);
        group.MapDelete("/{id:guid}", Delete);
        return api;
    }

    /// <summary>The gallery or the trash, searched, filtered, sorted and keyset-paged: <see cref="ImageSearch"/>.</summary>
    private static Task<Results<Ok<Page<ImageDto>>, ProblemHttpResult>> List(
        [AsParameters] ImageListParameters parameters, CurrentUser current, PingvasDb db, IObjectUrls urls, CancellationToken ct) =>
        ImageSearch.ListAsync(parameters, current.Id, db, urls, ct);

    /// <summary>The models of the caller's images with their counts, most images first (the gallery's filter offers these).</summary>
    private static async Task<Ok<ImageModelsResponse>> Models(CurrentUser current, PingvasDb db, CancellationToken ct)
    {
        var counts = await db.Images.AsNoTracking().Where(i => i.UserId == current.Id)
            .GroupBy(i => i.ModelId)
            .Select(g => new ImageModelCountDto(g.Key, g.Count()))
            .ToListAsync(ct);
        return TypedResults.Ok(new ImageModelsResponse([.. counts.OrderByDescending(c => c.Images).ThenBy(c => c.Model, StringComparer.Ordinal)]));
    }

    private static async Task<Results<Ok<ImageDto>, ProblemHttpResult>> Get(Guid id, CurrentUser current, PingvasDb db, IObjectUrls urls, CancellationToken ct) =>
        await db.Images.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id && i.UserId == current.Id, ct) is { } image
            ? TypedResults.Ok(ImageDto.From(image, [], urls))
            : Problems.NotFound("image");

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

    /// <summary>
    /// The row goes first, under the owner's lock (which a submit holds while it resolves its input
    /// images, so no job can start needing the image meanwhile) and in one statement with the owner
    /// in its predicate: of several concurrent deletes exactly one removes it (204) and the others
    /// find nothing (404); while a queued or running job names it as its input, 409 image_in_use.
    /// Its objects go next, best effort: what a storage error leaves behind, <see cref="OrphanObjectSweeper"/> removes later.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, CurrentUser current, PingvasDb db, IObjectStore store, ILoggerFactory loggers, CancellationToken ct)
    {
        string[]? keys;
        await using (var tx = await db.BeginWriteAsync(ct))
        {
            await db.LockUserAsync(current.Id, ct);
            keys = await db.Images.AsNoTracking()
                .Where(i => i.Id == id && i.UserId == current.Id)
                .Select(i => new[] { i.OriginalKey, i.Thumb256Key, i.Thumb512Key })
                .SingleOrDefaultAsync(ct);
            if (keys is null)
            {
                return Problems.NotFound("image");
            }

            if (await JobInputs.InUseAsync(db, current.Id, id, ct))
            {
                return Problems.Conflict("image_in_use", "A queued or running generation uses this image as its input; delete it when the generation has finished.");
            }

            if (await db.Images.Where(i => i.Id == id && i.UserId == current.Id).ExecuteDeleteAsync(ct) == 0)
            {
                return Problems.NotFound("image");
            }

            await tx.CommitAsync(ct);
        }

        foreach (var key in keys)
        {
            try
            {
                // The row is gone whatever happens now, so a client that hangs up does not stop the clean-up.
                await store.DeleteAsync(key, CancellationToken.None);
            }
            catch (Exception ex)
            {
                loggers.CreateLogger(typeof(ImageEndpoints)).LogWarning(ex, "Could not delete object {Key} of deleted image {ImageId}; the orphan sweep removes it", key, id);
            }
        }

        return TypedResults.NoContent();
    }

}
