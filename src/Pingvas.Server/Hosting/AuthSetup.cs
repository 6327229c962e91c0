using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Realtime;

namespace Pingvas.Server.Hosting;

public static class AuthSetup
{
    public static IServiceCollection AddPingvasAuth(this IServiceCollection services)
    {
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<SigningKeys>((o, keys) =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = TokenService.Issuer,
                ValidAudience = TokenService.Audience,
                IssuerSigningKey = TokenService.SecurityKey(keys),
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
                // A well-signed token must still name an existing account: endpoints rely on the user
                // row being there, and a removed account must not keep working until its token expires.
                OnTokenValidated = async ctx =>
                {
                    var id = CurrentUser.TryGetId(ctx.Principal);
                    if (id is null || !await AccountExistsAsync(ctx.HttpContext, id.Value))
                    {
                        ctx.Fail("The token does not name an existing account.");
                    }
                },
            };
        });
        services.AddAuthorizationBuilder().AddAdminPolicy();
        services.AddSingleton<IAuthorizationHandler, AdminRequirementHandler>();
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

    /// <summary>
    /// On PostgreSQL an API request keeps one connection for its scope, keyed to the user for
    /// row-level security by the same statement that checks the account, so its commands need no
    /// further setup. A hub connection lives for hours and must not hold a pooled connection.
    /// </summary>
    private static async Task<bool> AccountExistsAsync(HttpContext http, Guid userId)
    {
        var db = http.RequestServices.GetRequiredService<PingvasDb>();
        if (db.Database.IsNpgsql() && !http.Request.Path.StartsWithSegments(ProgressHub.Path))
        {
            return await http.RequestServices.GetRequiredService<TenantSessionInterceptor>().KeyToAccountAsync(db, userId, http.RequestAborted);
        }

        return await db.Users.AnyAsync(u => u.Id == userId, http.RequestAborted);
    }
}
