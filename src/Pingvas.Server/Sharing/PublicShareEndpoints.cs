using System.Globalization;

using Microsoft.AspNetCore.Http.HttpResults;

using Pingvas.Server.Hosting;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.Sharing;

/// <summary>
/// <c>/api/v1/public/shares/{token}</c>: a share link as a visitor without an account sees it.
/// Every answer, refusals included, is kept out of referrers, search engines and caches (<see cref="ShareHeaders"/>).
/// </summary>
public static class PublicShareEndpoints
{
    public static RouteGroupBuilder MapPublicShares(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/public/shares").WithTags("Sharing").AllowAnonymous()
            .ProblemCodes(401, "share_password_invalid", "share_password_required").ProblemCodes(404, "share_not_found", "image_not_found").ProblemCodes(429, "share_password_throttled");
        group.MapGet("/{token}", Show).Produces<PublicShareDto>();
        group.MapPost("/{token}/unlock", Unlock).Produces(StatusCodes.Status204NoContent);
        return api;
    }

    private static async Task<IResult> Show(string token, HttpContext http, PublicShareService shares, CancellationToken ct) =>
        Map(http, await shares.ShowAsync(http, token, ct));

    private static async Task<IResult> Unlock(string token, UnlockShareRequest body, HttpContext http, PublicShareService shares, CancellationToken ct) =>
        Map(http, await shares.UnlockAsync(http, token, body.Password, ct));

    private static IResult Map(HttpContext http, PublicShareOutcome outcome) => outcome switch
    {
        PublicShareOutcome.Shown shown => TypedResults.Ok(shown.Share),
        PublicShareOutcome.Unlocked => TypedResults.NoContent(),
        PublicShareOutcome.NotFound => ShareEndpoints.NotFound(),
        PublicShareOutcome.PasswordRequired => Problems.Create(StatusCodes.Status401Unauthorized, "share_password_required", "Password required.",
            "This link is protected by a password: send it to the unlock call."),
        PublicShareOutcome.PasswordInvalid => Problems.Create(StatusCodes.Status401Unauthorized, "share_password_invalid", "Wrong password."),
        PublicShareOutcome.Throttled throttled => Throttled(http, throttled.Wait),
        PublicShareOutcome.Invalid invalid => Problems.Validation(invalid.Field, invalid.Detail),
        _ => throw new InvalidOperationException($"Unknown public share outcome {outcome.GetType().Name}."),
    };

    private static ProblemHttpResult Throttled(HttpContext http, TimeSpan wait)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return Problems.Create(StatusCodes.Status429TooManyRequests, "share_password_throttled", "Too many attempts.",
            "Too many wrong passwords for this link from your address. Try again after the time in Retry-After.");
    }
}
