using System.Globalization;

using Microsoft.AspNetCore.Http.HttpResults;

using Pingvas.Server.Accounts;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Gallery;

/// <param name="Days">Null keeps everything; else unstarred images older than this many days go to the trash.</param>
public sealed record RetentionDto(int? Days);

/// <summary><c>/me/retention</c>: the signed-in user's own rule and its preview; there are no ids, so nothing of another user's is reachable.</summary>
public static class RetentionEndpoints
{
    public static RouteGroupBuilder MapRetention(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/me/retention").WithTags("Storage").RequireAuthorization();
        group.MapGet("/", Get);
        group.MapPut("/", Put);
        group.MapGet("/preview", Preview);
        return api;
    }

    private static async Task<Ok<RetentionDto>> Get(CurrentUser current, RetentionService retention, CancellationToken ct) =>
        TypedResults.Ok(new RetentionDto(await retention.GetAsync(current.Id, ct)));

    private static async Task<Results<Ok<RetentionDto>, ProblemHttpResult>> Put(RetentionDto request, CurrentUser current, RetentionService retention, CancellationToken ct)
    {
        if (!RetentionService.IsValid(request.Days))
        {
            return Problems.Validation("days", RetentionService.Rule);
        }

        await retention.SetAsync(current.Id, request.Days, ct);
        return TypedResults.Ok(new RetentionDto(request.Days));
    }

    private static async Task<Results<Ok<RetentionPreview>, ProblemHttpResult>> Preview(string? days, CurrentUser current, RetentionService retention, CancellationToken ct)
    {
        // Read as text so a missing or malformed value is a validation problem like any other.
        if (!int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || !RetentionService.IsValid(n))
        {
            return Problems.Validation("days", $"days must be a whole number between {RetentionService.MinDays} and {RetentionService.MaxDays}.");
        }

        return TypedResults.Ok(await retention.PreviewAsync(current.Id, n, ct));
    }
}
