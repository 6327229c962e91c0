using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Developer;
using Pingvas.Server.Realtime;

namespace Pingvas.Server.Hosting;

public static class AuthSetup
{
    public const string PolicyScheme = "Pingvas";

    public static IServiceCollection AddPingvasAuth(this IServiceCollection services)
    {
        // A policy scheme: a request presenting an API key (bearer pv_… or X-API-Key) goes to the key handler, everything else to JWT.
        services.AddAuthentication(PolicyScheme)
            .AddPolicyScheme(PolicyScheme, null, o => o.ForwardDefaultSelector = ctx => ApiKeyHandler.Presents(ctx.Request) ? ApiKeyHandler.SchemeName : JwtBearerDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyHandler.SchemeName, null)
            .AddJwtBearer();
        services.AddApiKeys();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<SigningKeys>((o, keys) =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = TokenService.Issuer,
                ValidAudience = TokenService.Audience,
                IssuerSigningKeys = TokenService.ValidationKeys(keys),
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                ClockSkew = TimeSpan.FromSeconds(30),
                NameClaimType = "sub",
                RoleClaimType = "role",
            };
            o.Events = new JwtBearerEvents
            {
                // WebSockets cannot carry an Authorization header, so the hub takes the token from the query.
                OnMessageReceived = ctx =>
                {
                    if (ctx.HttpContext.Request.Path.StartsWithSegments(ProgressHub.Path) && ctx.Request.Query["access_token"] is { Count: > 0 } token)
                    {
                        ctx.Token = token;
                    }

                    return Task.CompletedTask;
                },
                // A well-signed token must still name an existing account that may act: endpoints rely
                // on the user row being there, and a removed or suspended account, or a session signed
                // out everywhere, must stop working at once rather than when its token expires.
                OnTokenValidated = async ctx =>
                {
                    var id = CurrentUser.TryGetId(ctx.Principal);
                    var access = id is null ? AccountAccess.Missing : await AccountGate.CheckAsync(ctx.HttpContext, id.Value, SessionClaims.VersionOf(ctx.Principal));
                    if (access != AccountAccess.Allowed)
                    {
                        ctx.Fail($"The token's account may not act ({access}).");
                    }
                },
                // A suspended account gets its own code, so a client can tell it from an expired token.
                OnChallenge = async ctx =>
                {
                    if (AccountGate.Refusal(ctx.HttpContext) is { } refusal)
                    {
                        ctx.HandleResponse();
                        await refusal.ExecuteAsync(ctx.HttpContext);
                    }
                },
            };
        });
        services.AddAuthorizationBuilder().AddAdminPolicy();
        services.AddSingleton<IAuthorizationHandler, AdminRequirementHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, AdminTotpResultHandler>();
        services.AddHttpContextAccessor();
        services.AddScoped<CurrentUser>();
        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddScoped<LoginThrottles>();

        // Housekeeping every serving process runs (idempotent); singletons so tests and operators can run a pass.
        services.AddOptions<AuthPurgeOptions>().BindConfiguration("Auth");
        services.AddSingleton<RefreshTokenPurge>();
        services.AddHostedService(sp => sp.GetRequiredService<RefreshTokenPurge>());
        services.AddSingleton<LoginThrottlePurge>();
        services.AddHostedService(sp => sp.GetRequiredService<LoginThrottlePurge>());
        return services;
    }
}
