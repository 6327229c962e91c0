using System.Security.Claims;

using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;

using Pingvas.Server.Hosting;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.Accounts.External;

public sealed record ExternalExchangeRequest(string? Code);

/// <summary>
/// Sign-in with Google and Discord. The browser goes to the provider through
/// <c>GET /auth/external/{provider}</c>, comes back to the handler's callback, then to
/// <c>/complete</c>, which settles the account and sends the browser to the web app's
/// <c>/signin/external</c> with a one-time code (or an error); the web app trades the code for
/// exactly what a password sign-in answers.
/// </summary>
public static class ExternalSignInEndpoints
{
    public const string WebPage = "/signin/external";

    private const string CompletePath = ExternalProviders.BasePath + "/complete";

    public static RouteGroupBuilder MapExternalSignIn(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/auth").WithTags("Auth").RequireRateLimiting(RateLimits.Auth)
            .ProblemCodes(400, "invalid_exchange_code").ProblemCodes(401, "totp_required").ProblemCodes(403, "account_suspended").ProblemCodes(404, "unknown_provider");
        group.MapGet("/providers", (ExternalProviders providers) => TypedResults.Ok(providers.Configured.Select(p => p.Name).ToArray()));
        group.MapGet("/external/complete", Complete).ExcludeFromDescription();
        group.MapGet("/external/{provider}", Challenge);
        group.MapPost("/external/exchange", Exchange);
        return api;
    }

    /// <summary>The web app's page with an error code, e.g. <c>/signin/external?error=access_denied</c>.</summary>
    public static string ErrorPage(string error) => $"{WebPage}?error={Uri.EscapeDataString(error)}";

    private static Results<ChallengeHttpResult, ProblemHttpResult> Challenge(string provider, string? returnUrl, ExternalProviders providers)
    {
        if (providers.Find(provider) is null)
        {
            return Problems.Create(StatusCodes.Status404NotFound, "unknown_provider", "This sign-in provider is not available.");
        }

        if (returnUrl is not null && !IsLocalPath(returnUrl))
        {
            // Only a path of this site: the sign-in must never end on somebody else's page.
            return Problems.Validation("returnUrl", "The return address must be a path of this site, e.g. /generate.");
        }

        var properties = new AuthenticationProperties { RedirectUri = CompletePath };
        properties.Items[ExternalSignInSetup.ReturnUrlItem] = returnUrl;
        return TypedResults.Challenge(properties, [provider]);
    }

    /// <summary>Where the handler lands after a good callback: the provider's identity is in the round-trip cookie, which goes now.</summary>
    private static async Task<RedirectHttpResult> Complete(HttpContext http, ExternalAccounts accounts, CancellationToken ct)
    {
        var result = await http.AuthenticateAsync(ExternalProviders.CookieScheme);
        await http.SignOutAsync(ExternalProviders.CookieScheme);
        if (!result.Succeeded || Identity(result) is not { } identity)
        {
            return TypedResults.Redirect(ErrorPage("invalid_state"));
        }

        var outcome = await accounts.SignInAsync(identity, ct);
        if (outcome.User is not { } user)
        {
            return TypedResults.Redirect(ErrorPage(outcome.Error!));
        }

        var code = await accounts.IssueCodeAsync(user.Id, ct);
        var target = $"{WebPage}?code={Uri.EscapeDataString(code)}";
        if (result.Properties!.Items.TryGetValue(ExternalSignInSetup.ReturnUrlItem, out var returnUrl) && returnUrl is not null && IsLocalPath(returnUrl))
        {
            target += $"&returnUrl={Uri.EscapeDataString(returnUrl)}";
        }

        return TypedResults.Redirect(target);
    }

    private static ExternalIdentity? Identity(AuthenticateResult result)
    {
        var principal = result.Principal!;
        var subject = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        if (string.IsNullOrEmpty(subject) || !result.Properties!.Items.TryGetValue(ExternalSignInSetup.ProviderItem, out var provider) || provider is null)
        {
            return null;
        }

        return new ExternalIdentity(provider, subject, principal.FindFirstValue(ClaimTypes.Email),
            principal.FindFirstValue(ExternalSignInSetup.EmailVerifiedClaim) == "true", principal.FindFirstValue(ClaimTypes.Name));
    }

    private static async Task<Results<Ok<AuthResponse>, ProblemHttpResult>> Exchange(
        ExternalExchangeRequest request, ExternalAccounts accounts, TokenService tokens, MeService me, TotpChallenge challenges, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Code))
        {
            return Problems.Validation("code", "The code from the sign-in redirect is required.");
        }

        if (await accounts.RedeemCodeAsync(request.Code.Trim(), ct) is not { } user)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "invalid_exchange_code", "The sign-in code is invalid, expired or already used.",
                "Sign in with the provider again.");
        }

        return await SignInAnswer.ForAsync(user, tokens, me, challenges, ct);
    }

    /// <summary>A path on this site: one leading slash, not <c>//host</c> or <c>/\host</c>, no control characters.</summary>
    public static bool IsLocalPath(string url) =>
        url.Length is > 0 and <= 2000 && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl);
}
