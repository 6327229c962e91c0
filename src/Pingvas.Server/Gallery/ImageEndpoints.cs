using System.Text.Json;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Hosting;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Gallery;

public sealed record ImageDto(
    Guid Id, Guid GenerationId, int BatchIndex, string Url, string ThumbnailUrl, string Thumbnail512Url,
    int Width, int Height, long Seed, string Model, string Prompt, long StoredBytes,
    IReadOnlyDictionary<string, string> Metadata, DateTime CreatedAt);

public static class ImageEndpoints
{
    public static RouteGroupBuilder MapImages(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/images").WithTags("Gallery").RequireAuthorization();
        group.MapGet("/", List);
        group.MapGet("/{id:guid}", Get);
        group.MapGet("/{id:guid}/content", Content);
        group.MapDelete("/{id:guid}", Delete);
        return api;
    }

    private static async Task<Results<Ok<Page<ImageDto>>, ProblemHttpResult>> List(string? cursor, string? limit, CurrentUser current, PingvasDb db, IObjectUrls urls, CancellationToken ct)
    {
        if (!Paging.TryRead(cursor, limit, out var after, out var take, out var errors))
        {
            return Problems.Validation(errors);
        }

        var query = db.Images.AsNoTracking().Where(i => i.UserId == current.Id);
        if (after is { } a)
        {
            query = query.Where(i => i.Id.CompareTo(a) < 0);
        }

        var rows = await query.OrderByDescending(i => i.Id).Take(take + 1).ToListAsync(ct);
        return TypedResults.Ok(Paging.Build(rows, take, i => i.Id, i => ToDto(i, urls)));
    }

    private static async Task<Results<Ok<ImageDto>, ProblemHttpResult>> Get(Guid id, CurrentUser current, PingvasDb db, IObjectUrls urls, CancellationToken ct) =>
        await db.Images.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id && i.UserId == current.Id, ct) is { } image
            ? TypedResults.Ok(ToDto(image, urls))
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
    /// The row goes first, in one statement with the owner in its predicate, so of several concurrent
    /// deletes exactly one removes it (204) and the others find nothing (404). Its objects go next, best
    /// effort: what a storage error leaves behind, <see cref="OrphanObjectSweeper"/> removes later.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, CurrentUser current, PingvasDb db, IObjectStore store, ILoggerFactory loggers, CancellationToken ct)
    {
        var keys = await db.Images.AsNoTracking()
            .Where(i => i.Id == id && i.UserId == current.Id)
            .Select(i => new[] { i.OriginalKey, i.Thumb256Key, i.Thumb512Key })
            .SingleOrDefaultAsync(ct);
        if (keys is null || await db.Images.Where(i => i.Id == id && i.UserId == current.Id).ExecuteDeleteAsync(ct) == 0)
        {
            return Problems.NotFound("image");
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

    private static ImageDto ToDto(Image i, IObjectUrls urls) =>
        new(i.Id, i.JobId, i.BatchIndex, urls.UrlFor(i.OriginalKey), urls.UrlFor(i.Thumb256Key), urls.UrlFor(i.Thumb512Key),
            i.Width, i.Height, i.Seed, i.ModelId, i.Prompt, i.StoredBytes,
            JsonSerializer.Deserialize<Dictionary<string, string>>(i.Metadata) ?? [], i.CreatedAt);
}
