using Microsoft.AspNetCore.Http.HttpResults;

using Pingvas.Server.Accounts;
using Pingvas.Server.Developer;
using Pingvas.Server.Hosting;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.Gallery;

/// <summary><c>/api/v1/tags</c>: the caller's tags across all images (docs/gallery.md, Organising).</summary>
public static class TagEndpoints
{
    public static RouteGroupBuilder MapTags(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/tags").WithTags("Gallery").RequireAuthorization().ProblemCodes(404, "tag_not_found");
        group.MapGet("/", async (CurrentUser current, TagService tags, CancellationToken ct) => TypedResults.Ok(await tags.ListAsync(current.Id, ct))).AllowApiKey(ApiScopes.Read);
        group.MapPost("/rename", Rename).AllowApiKey(ApiScopes.GalleryWrite);
        group.MapDelete("/{tag}", Delete).AllowApiKey(ApiScopes.GalleryWrite);
        return api;
    }

    private static async Task<Results<Ok<TagChangeResponse>, ProblemHttpResult>> Rename(RenameTagRequest request, CurrentUser current, TagService tags, CancellationToken ct)
    {
        var (response, invalid) = await tags.RenameAsync(current.Id, request, ct);
        return invalid is not null ? Problems.Validation("to", invalid)
            : response is not null ? TypedResults.Ok(response)
            : GalleryProblems.TagNotFound();
    }

    /// <summary>
    /// Kestrel decodes the path except <c>%2F</c>, which it leaves escaped so routing cannot be fooled;
    /// a tag may hold "/", so that one escape is undone here.
    /// </summary>
    private static async Task<Results<Ok<TagChangeResponse>, ProblemHttpResult>> Delete(string tag, CurrentUser current, TagService tags, CancellationToken ct) =>
        await tags.DeleteAsync(current.Id, tag.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase), ct) is { } response
            ? TypedResults.Ok(response)
            : GalleryProblems.TagNotFound();
}
