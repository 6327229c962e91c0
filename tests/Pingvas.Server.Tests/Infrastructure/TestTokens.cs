using System.Security.Claims;
using System.Security.Cryptography;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>Hand-made access tokens (forged, expired, foreign) and direct looks at the server's database.</summary>
public static class TestTokens
{
    /// <summary>The key the server signs access tokens with (derived from its secret in the data folder).</summary>
    public static byte[] ServerKey(this PingvasServer server) => server.Services.GetRequiredService<SigningKeys>().TokenKey;

    public static byte[] RandomKey() => RandomNumberGenerator.GetBytes(32);

    /// <summary>An HS256 JWT shaped like the server's own; every part can be changed to make it wrong.</summary>
    public static string Create(
        byte[] key, Guid subject, TimeSpan? expiresIn = null, string issuer = TokenService.Issuer, string audience = TokenService.Audience, string role = Roles.User) =>
        Create(key, subject.ToString(), expiresIn, issuer, audience, role);

    public static string Create(byte[] key, string subject, TimeSpan? expiresIn, string issuer, string audience, string role)
    {
        var now = DateTime.UtcNow;
        var expires = now + (expiresIn ?? TimeSpan.FromMinutes(15));
        var issued = expires < now ? expires - TimeSpan.FromMinutes(15) : now;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = issued,
            NotBefore = issued,
            Expires = expires,
            Subject = new ClaimsIdentity([new Claim("sub", subject), new Claim("role", role)]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>Runs <paramref name="query"/> on a fresh scope's database context of the running server.</summary>
    public static async Task<T> QueryDbAsync<T>(this PingvasServer server, Func<PingvasDb, Task<T>> query)
    {
        await using var scope = server.Services.CreateSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
        return await query(db);
    }

    public static Task<User> UserRowAsync(this PingvasServer server, Guid id) =>
        server.QueryDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == id));
}
