using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Developer;
using Pingvas.Server.Hosting;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.Accounts;

public sealed record UpdateMeRequest(string? Name, string? Language);

public sealed record ChangePasswordRequest([property: AnyText] string? CurrentPassword, [property: AnyText] string? NewPassword);

public sealed record TotpConfirmRequest(string? Code);

public sealed record TotpConfirmResponse(IReadOnlyList<string> RecoveryCodes, string AccessToken, string RefreshToken, int ExpiresIn);

/// <summary>The signed-in user's own account: profile, language, password, TOTP enrolment.</summary>
public static class MeEndpoints
{
    public static RouteGroupBuilder MapMe(this RouteGroupBuilder api)
    {
        var me = api.MapGroup("/me").WithTags("Account").RequireAuthorization()
            .ProblemCodes(401, "invalid_code").ProblemCodes(403, "wrong_password").ProblemCodes(409, "totp_already_enrolled", "totp_not_enrolling");
        me.MapGet("", Get).AllowApiKey(ApiScopes.Read);
        me.MapPatch("", Update);
        me.MapPost("/password", ChangePassword).RequireRateLimiting(RateLimits.Auth);
        me.MapPost("/totp/enroll", EnrollTotp);
        me.MapPost("/totp/confirm", ConfirmTotp).RequireRateLimiting(RateLimits.Auth);
        return api;
    }

    private static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> Get(CurrentUser current, MeService me, CancellationToken ct) =>
        await me.GetAsync(current.Id, ct) is { } profile ? TypedResults.Ok(profile) : Problems.NotFound("user");

    private static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> Update(UpdateMeRequest request, CurrentUser current, AccountService accounts, MeService me, CancellationToken ct)
    {
        var errors = await accounts.UpdateProfileAsync(current.Id, request.Name, request.Language, ct);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        return TypedResults.Ok((await me.GetAsync(current.Id, ct))!);
    }

    private static async Task<Results<Ok<RefreshResponse>, ProblemHttpResult>> ChangePassword(
        ChangePasswordRequest request, CurrentUser current, AccountService accounts, HttpContext http, CancellationToken ct)
    {
        var outcome = await accounts.ChangePasswordAsync(current.Id, request.CurrentPassword, request.NewPassword, SessionClaims.SignedInWithTotp(http.User), http, ct);
        return outcome switch
        {
            { Tokens: { } pair } => TypedResults.Ok(new RefreshResponse(pair.AccessToken, pair.RefreshToken, pair.ExpiresIn)),
            { Errors.Count: > 0 } => Problems.Validation(outcome.Errors),
            { RetryAfter: { } wait } => Throttled(http, wait),
            _ => Problems.Create(StatusCodes.Status403Forbidden, "wrong_password", "The current password is wrong."),
        };
    }

    private static async Task<Results<Ok<TotpEnrollment>, ProblemHttpResult>> EnrollTotp(CurrentUser current, TotpService totp, CancellationToken ct) =>
        await totp.EnrollAsync(current.Id, ct) is { } enrollment
            ? TypedResults.Ok(enrollment)
            : Problems.Conflict("totp_already_enrolled", "TOTP is already active on this account.");

    /// <summary>Activates TOTP with a first code. That proves the code, so the session is renewed as signed in with it.</summary>
    private static async Task<Results<Ok<TotpConfirmResponse>, ProblemHttpResult>> ConfirmTotp(
        TotpConfirmRequest request, CurrentUser current, TotpService totp, TokenService tokens, Data.PingvasDb db, CancellationToken ct)
    {
        var (result, codes) = await totp.ConfirmAsync(current.Id, request.Code, ct);
        switch (result)
        {
            case TotpConfirm.AlreadyEnrolled:
                return Problems.Conflict("totp_already_enrolled", "TOTP is already active on this account.");
            case TotpConfirm.NotStarted:
                return Problems.Conflict("totp_not_enrolling", "Start with POST /api/v1/me/totp/enroll.");
            case TotpConfirm.WrongCode:
                return Problems.Validation("code", "The code is wrong or was already used.");
        }

        var user = await db.Users.SingleAsync(u => u.Id == current.Id, ct);
        var pair = await tokens.IssueAsync(user, null, ct, mfa: true);
        return TypedResults.Ok(new TotpConfirmResponse(codes, pair.AccessToken, pair.RefreshToken, pair.ExpiresIn));
    }

    private static ProblemHttpResult Throttled(HttpContext http, TimeSpan wait)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.RateLimited("Too many wrong passwords. Try again after the time in Retry-After.");
    }
}
