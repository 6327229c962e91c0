using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Hosting;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.Storage;

public static class FileEndpoints
{
    /// <summary>Serves stored objects to holders of a valid signed URL; no bearer token needed.</summary>
    public static RouteGroupBuilder MapFiles(this RouteGroupBuilder api)
    {
        api.MapGet("/files/{**key}", async (string key, long? exp, string? sig, UrlSigner signer, IObjectStore store, PingvasDb db, TimeProvider time, HttpContext http, CancellationToken ct) =>
        {
            // A client that sends its bearer token here too holds a pooled connection on PostgreSQL
            // from authentication on (AuthSetup); give it back before a stream that may last minutes.
            await db.Database.CloseConnectionAsync();

            if (!ObjectKeys.IsValid(key) || exp is null || !signer.Verify(key, exp.Value, sig))
            {
                return Problems.Create(StatusCodes.Status403Forbidden, "invalid_signature", "This link is invalid or has expired.");
            }

            var found = await store.GetAsync(key, ct);
            if (found is null)
            {
                return Problems.NotFound("file");
            }

            // Cacheable only until the link expires, so a browser does not outlive the signature.
            var left = Math.Max(0, exp.Value - time.GetUtcNow().ToUnixTimeSeconds());
            http.Response.Headers.CacheControl = $"private, max-age={left}";
            return Results.Stream(found.Content, found.ContentType);
        })
        .WithTags("Files")
        .AllowAnonymous()
        .WithSummary("Download a stored file by its signed link (the URLs in image and export answers).")
        .Produces(StatusCodes.Status200OK, contentType: "image/png", additionalContentTypes: ["image/webp", "image/jpeg", "application/zip", "application/octet-stream"])
        .ProblemCodes(403, "invalid_signature");
        return api;
    }
}
