using System.Globalization;

using Microsoft.AspNetCore.Http.HttpResults;

using Pingvas.Server.Accounts;
using Pingvas.Server.Hosting;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.YourData;

public sealed record DeleteAccountRequest([property: AnyText] string? Password);

/// <summary><c>DELETE /me {password}</c>: deletes the signed-in account (<see cref="AccountDeletion"/>).</summary>
public static class AccountDeletionEndpoints
{
    public static RouteGroupBuilder MapAccountDeletion(this RouteGroupBuilder api)
    {
        api.MapGroup("/me").WithTags("Your data").RequireAuthorization()
            .ProblemCodes(403, "reauthentication_required", "wrong_password").ProblemCodes(502, "billing_provider_error")
            .MapDelete("", DeleteAsync).RequireRateLimiting(RateLimits.Auth);
        return api;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        [Microsoft.AspNetCore.Mvc.FromBody] DeleteAccountRequest? request, CurrentUser current, AccountDeletion deletion, HttpContext http, CancellationToken ct)
    {
        var outcome = await deletion.DeleteAsync(current.Id, request?.Password, http, ct);
        switch (outcome.Result)
        {
            case DeletionResult.Deleted:
                return TypedResults.NoContent();
            case DeletionResult.WrongPassword:
                return Problems.Create(StatusCodes.Status403Forbidden, "wrong_password", "The password is wrong.");
            case DeletionResult.ReauthenticationRequired:
                return Problems.Create(StatusCodes.Status403Forbidden, "reauthentication_required", "Sign in again first.",
                    $"This account has no password: sign in again, then delete it within {AccountDeletion.FreshSignIn.TotalMinutes:0} minutes.");
            case DeletionResult.Throttled:
                http.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(outcome.RetryAfter!.Value.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return Problems.RateLimited("Too many wrong passwords. Try again after the time in Retry-After.");
            default:
                return Problems.Create(StatusCodes.Status502BadGateway, "billing_provider_error", "The payment provider did not answer.",
                    "The subscription could not be cancelled, so nothing was deleted. Try again later.");
        }
    }
}
