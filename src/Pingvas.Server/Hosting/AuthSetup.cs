using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;

using Pingvas.Server.Accounts;
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
            };
        });
        services.AddAuthorization();
        services.AddHttpContextAccessor();
        services.AddScoped<CurrentUser>();
        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        return services;
    }
}
