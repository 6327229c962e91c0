using System.Net.Http.Headers;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Developer;
using Pingvas.Server.Hosting;
using Pingvas.Server.Storage;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.Uploads;

/// <summary>
/// <c>POST /api/v1/uploads</c> takes the image as the raw request body with its Content-Type
/// (image/png, image/webp or image/jpeg); the owner lists, reads and deletes their own uploads.
/// Another user's upload is 404 everywhere.
/// </summary>
public static class UploadEndpoints
{
    public static RouteGroupBuilder MapUploads(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/uploads").WithTags("Uploads").RequireAuthorization();
        group.MapPost("/", Create).RequireRateLimiting(RateLimits.Submit).AllowApiKey(ApiScopes.Generate)
            .RequestMediaTypes("image/png", "image/webp", "image/jpeg").Produces<UploadDto>(StatusCodes.Status201Created)
            .ProblemCodes(400, "validation_failed", "image_too_large", "invalid_image").ProblemCodes(403, "storage_quota_exceeded")
            .ProblemCodes(413, "upload_too_large", "payload_too_large").ProblemCodes(415, "unsupported_media_type");
        group.MapGet("/", List);
        group.MapGet("/{id:guid}", Get);
        group.MapGet("/{id:guid}/content", Content)
            .Produces(StatusCodes.Status200OK, contentType: "image/png", additionalContentTypes: ["image/jpeg", "image/webp"]);
        group.MapDelete("/{id:guid}", Delete).ProblemCodes(409, "upload_in_use");
        return api;
    }

    private static async Task<IResult> Create(HttpRequest request, CurrentUser current, UploadService uploads, CancellationToken ct)
    {
        // Refused before reading when the client says it is too large, and while reading otherwise.
        if (request.ContentLength > UploadService.MaxBytes)
        {
            return TooLarge();
        }

        var body = await ReadBoundedAsync(request.Body, UploadService.MaxBytes, ct);
        if (body is null)
        {
            return TooLarge();
        }

        var contentType = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType : null;
        var outcome = await uploads.CreateAsync(current.Id, contentType, body, ct);
        return outcome switch
        {
            UploadOutcome.Created created => TypedResults.Created($"/api/v1/uploads/{created.Upload.Id}", created.Upload),
            UploadOutcome.UnsupportedType u => Problems.Create(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "Unsupported media type.", u.Detail),
            UploadOutcome.InvalidImage i => Problems.Create(StatusCodes.Status400BadRequest, "invalid_image", "Not a valid image.", i.Detail),
            UploadOutcome.ImageTooLarge l => Problems.Create(StatusCodes.Status400BadRequest, "image_too_large", "The image is too large for your plan.", l.Detail),
            UploadOutcome.OverQuota q => Problems.Forbidden("storage_quota_exceeded", q.Detail),
            _ => throw new InvalidOperationException($"Unknown upload outcome {outcome.GetType().Name}."),
        };
    }

    private static async Task<Results<Ok<Page<UploadDto>>, ProblemHttpResult>> List(string? cursor, string? limit, CurrentUser current, PingvasDb db, CancellationToken ct)
    {
        if (!Paging.TryRead(cursor, limit, out var after, out var take, out var errors))
        {
            return Problems.Validation(errors);
        }

        var query = db.Uploads.AsNoTracking().Where(u => u.UserId == current.Id);
        if (after is { } a)
        {
            query = query.Where(u => u.Id.CompareTo(a) < 0);
        }

        var rows = await query.OrderByDescending(u => u.Id).Take(take + 1).ToListAsync(ct);
        return TypedResults.Ok(Paging.Build(rows, take, u => u.Id, UploadDto.From));
    }

    private static async Task<Results<Ok<UploadDto>, ProblemHttpResult>> Get(Guid id, CurrentUser current, PingvasDb db, CancellationToken ct) =>
        await db.Uploads.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id && u.UserId == current.Id, ct) is { } upload
            ? TypedResults.Ok(UploadDto.From(upload))
            : Problems.NotFound("upload");

    /// <summary>The uploaded bytes, as they were sent.</summary>
    private static async Task<IResult> Content(Guid id, CurrentUser current, PingvasDb db, IObjectStore store, CancellationToken ct)
    {
        var upload = await db.Uploads.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id && u.UserId == current.Id, ct);

        // Give back the pooled connection (held for the request's scope on PostgreSQL) before streaming.
        await db.Database.CloseConnectionAsync();

        // The type from the row: a local store guesses types from key suffixes and knows no JPEG.
        return upload is not null && await store.GetAsync(upload.ObjectKey, ct) is { } found
            ? Results.Stream(found.Content, upload.ContentType)
            : Problems.NotFound("upload");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, CurrentUser current, UploadService uploads, CancellationToken ct) =>
        await uploads.DeleteAsync(current.Id, id, ct) switch
        {
            UploadDeletion.Deleted => TypedResults.NoContent(),
            UploadDeletion.InUse => Problems.Conflict("upload_in_use", "A queued or running generation uses this upload; delete it when the generation has finished."),
            _ => Problems.NotFound("upload"),
        };

    private static ProblemHttpResult TooLarge() =>
        Problems.Create(StatusCodes.Status413PayloadTooLarge, "upload_too_large", "The upload is too large.", $"An upload may have at most {UploadService.MaxBytes} bytes.");

    /// <summary>The whole body, or null as soon as it passes <paramref name="max"/> bytes.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(Stream body, long max, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
