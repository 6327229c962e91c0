using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;

using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.Extensions.Options;

namespace Pingvas.Server.Accounts.External;

public static class ExternalSignInSetup
{
    /// <summary>Claim types of the provider's identity, as the round-trip cookie carries it.</summary>
    public const string EmailVerifiedClaim = "pingvas:email_verified";

    public const string ProviderItem = "provider";
    public const string ReturnUrlItem = "returnUrl";

    /// <summary>
    /// ASP.NET Core's own OAuth handler (authorization code, PKCE, protected state, correlation
    /// cookie) per configured provider, and the cookie that carries its answer to <c>/complete</c>.
    /// Nothing is registered for a provider without a client id and secret.
    /// </summary>
    public static IServiceCollection AddExternalSignIn(this IServiceCollection services, IConfiguration configuration)
    {
        var providers = ExternalProviders.From(configuration);
        services.AddSingleton(providers);
        services.AddSingleton<SigningKeyDataProtection>();
        services.AddScoped<ExternalAccounts>();

        var auth = services.AddAuthentication();
        auth.AddCookie(ExternalProviders.CookieScheme);
        services.AddOptions<CookieAuthenticationOptions>(ExternalProviders.CookieScheme).Configure<SigningKeyDataProtection>((o, protection) =>
        {
            o.DataProtectionProvider = protection;
            o.Cookie.Name = "pingvas.external";
            o.Cookie.Path = ExternalProviders.BasePath;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = SecurePolicy(providers);
            // Only for the hop from the callback to /complete, which deletes it.
            o.ExpireTimeSpan = TimeSpan.FromMinutes(5);
            o.SlidingExpiration = false;
        });

        foreach (var provider in providers.Configured)
        {
            auth.AddOAuth<OAuthOptions, ProviderHandler>(provider.Name, o => Configure(o, provider, providers));
            services.AddOptions<OAuthOptions>(provider.Name).Configure<SigningKeyDataProtection>((o, protection) => o.DataProtectionProvider = protection);
        }

        return services;
    }

    private static CookieSecurePolicy SecurePolicy(ExternalProviders providers) =>
        providers.PublicUrl?.Scheme == Uri.UriSchemeHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;

    private static void Configure(OAuthOptions o, ExternalProvider provider, ExternalProviders providers)
    {
        o.SignInScheme = ExternalProviders.CookieScheme;
        o.ClientId = provider.ClientId;
        o.ClientSecret = provider.ClientSecret;
        o.AuthorizationEndpoint = provider.AuthorizationEndpoint;
        o.TokenEndpoint = provider.TokenEndpoint;
        o.UserInformationEndpoint = provider.UserInformationEndpoint;
        o.CallbackPath = provider.CallbackPath;
        o.UsePkce = provider.UsePkce;
        o.SaveTokens = false;
        o.Scope.Clear();
        foreach (var scope in provider.Scopes)
        {
            o.Scope.Add(scope);
        }

        // The correlation cookie travels on the provider's top-level redirect back: Lax is enough.
        o.CorrelationCookie.SameSite = SameSiteMode.Lax;
        o.CorrelationCookie.SecurePolicy = SecurePolicy(providers);
        o.RemoteAuthenticationTimeout = TimeSpan.FromMinutes(10);

        if (provider.Name == ExternalProviders.Google)
        {
            // Google's OpenID Connect userinfo: sub, email, email_verified, name, picture.
            o.ClaimActions.MapJsonKey(ClaimTypes.NameIdentifier, "sub");
            o.ClaimActions.MapJsonKey(ClaimTypes.Email, "email");
            o.ClaimActions.MapJsonKey(ClaimTypes.Name, "name");
            o.ClaimActions.MapCustomJson(EmailVerifiedClaim, user => IsTrue(user, "email_verified"));
        }
        else
        {
            // Discord's /users/@me: id, username, global_name, email, verified.
            o.ClaimActions.MapJsonKey(ClaimTypes.NameIdentifier, "id");
            o.ClaimActions.MapJsonKey(ClaimTypes.Email, "email");
            o.ClaimActions.MapCustomJson(ClaimTypes.Name, user =>
                user.TryGetProperty("global_name", out var global) && global.ValueKind == JsonValueKind.String ? global.GetString() : user.GetProperty("username").GetString());
            o.ClaimActions.MapCustomJson(EmailVerifiedClaim, user => IsTrue(user, "verified"));
        }

        o.Events = new OAuthEvents
        {
            OnCreatingTicket = async ctx =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, ctx.Options.UserInformationEndpoint);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ctx.AccessToken);
                using var response = await ctx.Backchannel.SendAsync(request, ctx.HttpContext.RequestAborted);
                if (!response.IsSuccessStatusCode)
                {
                    throw new HttpRequestException($"The provider's user information endpoint answered {(int)response.StatusCode}.");
                }

                using var user = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ctx.HttpContext.RequestAborted));
                ctx.RunClaimActions(user.RootElement);
                ctx.Properties.Items[ProviderItem] = provider.Name;
            },
            OnAccessDenied = ctx =>
            {
                ctx.Response.Redirect(ExternalSignInEndpoints.ErrorPage("access_denied"));
                ctx.HandleResponse();
                return Task.CompletedTask;
            },
            OnRemoteFailure = ctx =>
            {
                ctx.Response.Redirect(ExternalSignInEndpoints.ErrorPage(FailureCode(ctx.Failure)));
                ctx.HandleResponse();
                return Task.CompletedTask;
            },
        };
    }

    private static string? IsTrue(JsonElement user, string property) =>
        user.TryGetProperty(property, out var value) && (value.ValueKind == JsonValueKind.True || (value.ValueKind == JsonValueKind.String && value.GetString() == "true"))
            ? "true"
            : "false";

    /// <summary>The state or correlation cookie did not survive (tampered with, replayed, too old, another browser) vs. anything the provider did.</summary>
    private static string FailureCode(Exception? failure) => failure?.Message switch
    {
        "The oauth state was missing or invalid." or "Correlation failed." => "invalid_state",
        _ when failure is AuthenticationFailureException && failure.Message.StartsWith("Unprotect ticket failed", StringComparison.Ordinal) => "invalid_state",
        _ => "provider_error",
    };

    /// <summary>
    /// The stock handler, with the redirect URI built on <c>App:PublicUrl</c> when it is set: behind a
    /// proxy the request's own scheme and host are not what the provider must send the browser to.
    /// The same URI goes into the authorization request and the code exchange, as OAuth requires.
    /// </summary>
    private sealed class ProviderHandler(IOptionsMonitor<OAuthOptions> options, ILoggerFactory logger, UrlEncoder encoder, ExternalProviders providers)
        : OAuthHandler<OAuthOptions>(options, logger, encoder)
    {
        protected override string BuildChallengeUrl(AuthenticationProperties properties, string redirectUri) =>
            base.BuildChallengeUrl(properties, Public(redirectUri));

        protected override Task<OAuthTokenResponse> ExchangeCodeAsync(OAuthCodeExchangeContext context) =>
            base.ExchangeCodeAsync(new OAuthCodeExchangeContext(context.Properties, context.Code, Public(context.RedirectUri)));

        private string Public(string redirectUri) =>
            providers.PublicUrl is { } root ? new Uri(root, Options.CallbackPath.Value).ToString() : redirectUri;
    }
}
