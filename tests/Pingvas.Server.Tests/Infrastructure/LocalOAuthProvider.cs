using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>
/// A local OAuth 2.0 authorization server that answers like Google's (OpenID Connect userinfo) or
/// Discord's (/users/@me), from their published documents, in-process on a free 127.0.0.1 port.
/// It checks what the real ones check: the client, the registered redirect URI, response_type=code,
/// state, PKCE (S256 only), single-use codes bound to client and redirect URI, client_secret_post
/// or HTTP Basic client authentication, Bearer tokens at userinfo. The consent page shows the test
/// identity with Allow and Deny; <see cref="AutoApprove"/> skips it. Google's id_token is left out:
/// the sign-in reads the userinfo endpoint, not the token.
/// </summary>
public sealed class LocalOAuthProvider : IAsyncDisposable
{
    public const string ClientId = "pingvas-test-client";
    public const string ClientSecret = "pingvas-test-secret";

    private static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(10);

    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, Grant> codes = new();
    private readonly ConcurrentDictionary<string, Authorization> pending = new();
    private readonly ConcurrentDictionary<string, Identity> tokens = new();
    private readonly ConcurrentQueue<string> redirectUris = new();

    private LocalOAuthProvider(string flavor, WebApplication app)
    {
        Flavor = flavor;
        this.app = app;
    }

    /// <summary><c>google</c> or <c>discord</c>: which provider's paths and answers.</summary>
    public string Flavor { get; }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Who "signs in" at the provider; change it between flows.</summary>
    public Identity User { get; set; } = Identity.Random();

    /// <summary>Approve at once (redirect straight back) instead of showing the consent page.</summary>
    public bool AutoApprove { get; set; } = true;

    /// <summary>Every token request's form and how the client authenticated (<c>post</c> or <c>basic</c>), in order.</summary>
    public ConcurrentQueue<TokenRequest> TokenRequests { get; } = new();

    public string AuthorizePath => Flavor == "google" ? "/o/oauth2/v2/auth" : "/oauth2/authorize";

    public string TokenPath => Flavor == "google" ? "/token" : "/api/oauth2/token";

    public string UserInfoPath => Flavor == "google" ? "/v1/userinfo" : "/api/users/@me";

    public static async Task<LocalOAuthProvider> StartAsync(string flavor)
    {
        if (flavor is not ("google" or "discord"))
        {
            throw new ArgumentException("google or discord", nameof(flavor));
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var provider = new LocalOAuthProvider(flavor, app);
        app.MapGet(provider.AuthorizePath, provider.Authorize);
        app.MapPost("/consent", provider.Consent);
        app.MapPost(provider.TokenPath, provider.Token);
        app.MapGet(provider.UserInfoPath, provider.UserInfo);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        provider.BaseAddress = new Uri(address);
        return provider;
    }

    /// <summary>The server settings that point Pingvas at this provider (<c>Auth:Google:*</c> or <c>Auth:Discord:*</c>).</summary>
    public Dictionary<string, string> Settings()
    {
        var section = Flavor == "google" ? "Auth:Google" : "Auth:Discord";
        return new Dictionary<string, string>
        {
            [$"{section}:ClientId"] = ClientId,
            [$"{section}:ClientSecret"] = ClientSecret,
            [$"{section}:AuthorizationEndpoint"] = new Uri(BaseAddress, AuthorizePath).ToString(),
            [$"{section}:TokenEndpoint"] = new Uri(BaseAddress, TokenPath).ToString(),
            [$"{section}:UserInformationEndpoint"] = new Uri(BaseAddress, UserInfoPath).ToString(),
        };
    }

    /// <summary>Registers the app's callback on a server (as an OAuth app's redirect URIs are registered in the provider's console).</summary>
    public void AllowRedirectsTo(Uri server) => redirectUris.Enqueue(new Uri(server, $"/api/v1/auth/external/{Flavor}/callback").ToString());

    public static string Challenge(string verifier) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private IResult Authorize(HttpRequest request)
    {
        var query = request.Query;
        string? Get(string name) => query[name].FirstOrDefault();

        // An unknown client or an unregistered redirect URI is never redirected to: an error page instead.
        if (Get("client_id") != ClientId)
        {
            return Page(HttpStatusCode.BadRequest, "Error 401: invalid_client", "The OAuth client was not found.");
        }

        var redirectUri = Get("redirect_uri");
        if (redirectUri is null || !redirectUris.Contains(redirectUri))
        {
            return Page(HttpStatusCode.BadRequest, "Error 400: redirect_uri_mismatch", "The redirect URI is not registered for this client.");
        }

        var state = Get("state");
        string? error = null;
        if (Get("response_type") != "code")
        {
            error = "unsupported_response_type";
        }
        else if (string.IsNullOrEmpty(state) || string.IsNullOrEmpty(Get("code_challenge")) || Get("code_challenge_method") != "S256")
        {
            // This server insists on state and on PKCE with S256 (plain is weaker and never what Pingvas sends).
            error = "invalid_request";
        }

        if (error is not null)
        {
            return Results.Redirect(WithQuery(redirectUri, ("error", error), ("state", state)));
        }

        var authorization = new Authorization(redirectUri, state!, Get("code_challenge")!, Get("scope") ?? "", User);
        if (AutoApprove)
        {
            return Results.Redirect(Approve(authorization));
        }

        var id = Base64Url(RandomNumberGenerator.GetBytes(16));
        pending[id] = authorization;
        var who = WebUtility.HtmlEncode($"{authorization.User.Name} <{authorization.User.Email}>");
        return Results.Content($$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <title>Local {{Flavor}} sign-in</title>
            <style>body{font-family:sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}button{font-size:1rem;padding:.5rem 1.25rem;margin-right:.5rem}#identity{overflow-wrap:anywhere}</style></head>
            <body><h1>Local {{Flavor}} sign-in</h1>
            <p>Pingvas Studio wants to know who you are.</p>
            <p id="identity">{{who}}</p>
            <form method="post" action="/consent"><input type="hidden" name="id" value="{{id}}">
            <button name="decision" value="allow">Allow</button><button name="decision" value="deny">Deny</button></form>
            </body></html>
            """, "text/html; charset=utf-8");
    }

    private async Task<IResult> Consent(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        if (!pending.TryRemove(form["id"].ToString(), out var authorization))
        {
            return Page(HttpStatusCode.BadRequest, "Error 400: invalid_request", "This consent page has expired.");
        }

        return form["decision"] == "allow"
            ? Results.Redirect(Approve(authorization))
            : Results.Redirect(WithQuery(authorization.RedirectUri, ("error", "access_denied"), ("state", authorization.State)));
    }

    private string Approve(Authorization authorization)
    {
        var code = Base64Url(RandomNumberGenerator.GetBytes(24));
        codes[code] = new Grant(authorization, DateTime.UtcNow + CodeLifetime);
        return WithQuery(authorization.RedirectUri, ("code", code), ("state", authorization.State));
    }

    private async Task<IResult> Token(HttpRequest request)
    {
        if (!request.HasFormContentType)
        {
            return TokenError(HttpStatusCode.BadRequest, "invalid_request", "The body must be application/x-www-form-urlencoded.");
        }

        var form = await request.ReadFormAsync();
        var fields = form.ToDictionary(f => f.Key, f => f.Value.ToString());
        var (clientId, clientSecret, method) = ClientCredentials(request, fields);
        TokenRequests.Enqueue(new TokenRequest(fields, method));
        if (clientId != ClientId || clientSecret != ClientSecret)
        {
            return TokenError(HttpStatusCode.Unauthorized, "invalid_client", "Client authentication failed.");
        }

        if (fields.GetValueOrDefault("grant_type") != "authorization_code")
        {
            return TokenError(HttpStatusCode.BadRequest, "unsupported_grant_type", "Only authorization_code is supported.");
        }

        // A code works once, whatever the outcome of its first use (RFC 6749 4.1.2).
        if (!codes.TryRemove(fields.GetValueOrDefault("code") ?? "", out var grant) || grant.ExpiresAt < DateTime.UtcNow)
        {
            return TokenError(HttpStatusCode.BadRequest, "invalid_grant", "Malformed auth code.");
        }

        if (fields.GetValueOrDefault("redirect_uri") != grant.Authorization.RedirectUri)
        {
            return TokenError(HttpStatusCode.BadRequest, "invalid_grant", "Bad Request: redirect_uri does not match.");
        }

        if (fields.GetValueOrDefault("code_verifier") is not { Length: >= 43 and <= 128 } verifier || Challenge(verifier) != grant.Authorization.CodeChallenge)
        {
            return TokenError(HttpStatusCode.BadRequest, "invalid_grant", "Invalid code verifier.");
        }

        var accessToken = Base64Url(RandomNumberGenerator.GetBytes(32));
        tokens[accessToken] = grant.Authorization.User;
        return Flavor == "google"
            ? Results.Json(new Dictionary<string, object>
            {
                ["access_token"] = accessToken,
                ["expires_in"] = 3599,
                ["token_type"] = "Bearer",
                ["scope"] = grant.Authorization.Scope,
            })
            : Results.Json(new Dictionary<string, object>
            {
                ["access_token"] = accessToken,
                ["token_type"] = "Bearer",
                ["expires_in"] = 604800,
                ["refresh_token"] = Base64Url(RandomNumberGenerator.GetBytes(24)),
                ["scope"] = grant.Authorization.Scope,
            });
    }

    private IResult UserInfo(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal) || !tokens.TryGetValue(header["Bearer ".Length..], out var user))
        {
            return Flavor == "google"
                ? Results.Json(new { error = "invalid_request", error_description = "Invalid Credentials" }, statusCode: 401)
                : Results.Json(new { message = "401: Unauthorized", code = 0 }, statusCode: 401);
        }

        return Flavor == "google"
            ? Results.Json(new Dictionary<string, object?>
            {
                ["sub"] = user.Subject,
                ["name"] = user.Name,
                ["given_name"] = user.Name.Split(' ')[0],
                ["picture"] = "https://lh3.googleusercontent.com/a/test",
                ["email"] = user.Email,
                ["email_verified"] = user.EmailVerified,
            })
            : Results.Json(new Dictionary<string, object?>
            {
                ["id"] = user.Subject,
                ["username"] = user.Name.ToLowerInvariant().Replace(' ', '_'),
                ["global_name"] = user.Name,
                ["discriminator"] = "0",
                ["avatar"] = null,
                ["email"] = user.Email,
                ["verified"] = user.EmailVerified,
            });
    }

    /// <summary>client_secret_post (both in the form) or client_secret_basic (the Authorization header), as both providers accept.</summary>
    private static (string? Id, string? Secret, string Method) ClientCredentials(HttpRequest request, Dictionary<string, string> fields)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..])).Split(':', 2);
            return (Uri.UnescapeDataString(pair[0]), pair.Length > 1 ? Uri.UnescapeDataString(pair[1]) : null, "basic");
        }

        return (fields.GetValueOrDefault("client_id"), fields.GetValueOrDefault("client_secret"), "post");
    }

    private static IResult TokenError(HttpStatusCode status, string error, string description) =>
        Results.Json(new { error, error_description = description }, statusCode: (int)status);

    private static IResult Page(HttpStatusCode status, string title, string text) =>
        Results.Content($"<!doctype html><title>{title}</title><h1>{title}</h1><p>{text}</p>", "text/html; charset=utf-8", Encoding.UTF8, (int)status);

    private static string WithQuery(string uri, params (string Name, string? Value)[] parameters)
    {
        var query = string.Join('&', parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));
        return uri + (uri.Contains('?') ? "&" : "?") + query;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A person at the provider.</summary>
    public sealed record Identity(string Subject, string Email, bool EmailVerified, string Name)
    {
        public static Identity Random(bool emailVerified = true, string? email = null) =>
            new(RandomNumberGenerator.GetInt32(int.MaxValue).ToString("D12", System.Globalization.CultureInfo.InvariantCulture),
                email ?? $"oauth-{Guid.NewGuid():N}@example.com", emailVerified, "Ada Lovelace");
    }

    public sealed record TokenRequest(IReadOnlyDictionary<string, string> Form, string ClientAuthentication);

    private sealed record Authorization(string RedirectUri, string State, string CodeChallenge, string Scope, Identity User);

    private sealed record Grant(Authorization Authorization, DateTime ExpiresAt);
}
