using System.Security.Claims;

using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

using Pingvas.Server.Hosting;

namespace Pingvas.Server.Accounts;

/// <summary>
/// The short-lived token a right password earns on a TOTP account: it names the account and is
/// good only at <c>POST /auth/login/totp</c> (its own audience), for five minutes.
/// </summary>
public sealed class TotpChallenge(SigningKeys keys)
{
    public const string Audience = "pingvas-totp-challenge";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    public string Create(User user)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = TokenService.Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            Subject = new ClaimsIdentity([new Claim("sub", user.Id.ToString())]),
            SigningCredentials = new SigningCredentials(TokenService.SecurityKey(keys), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>The account the challenge names, or null when it is forged, expired or not a challenge.</summary>
    public async Task<Guid?> ReadAsync(string? token)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return null;
        }

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = TokenService.Issuer,
            ValidAudience = Audience,
            IssuerSigningKeys = TokenService.ValidationKeys(keys),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ClockSkew = TimeSpan.FromSeconds(30),
        });
        return result.IsValid && result.Claims.TryGetValue("sub", out var sub) && Guid.TryParse(sub?.ToString(), out var id) ? id : null;
    }
}
