using System.Globalization;
using System.Security.Claims;

namespace Pingvas.Server.Accounts;

/// <summary>The claims of an access token beyond its subject: the account's token version and how the session signed in.</summary>
public static class SessionClaims
{
    /// <summary>The account's token version when the token was issued; a token without one is of version 0.</summary>
    public const string Version = "ver";

    /// <summary>Authentication method (RFC 8176): <see cref="Totp"/> when the session was signed in with a TOTP code.</summary>
    public const string Method = "amr";

    public const string Totp = "otp";

    public static int VersionOf(ClaimsPrincipal? principal) =>
        int.TryParse(principal?.FindFirstValue(Version), NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : 0;

    public static bool SignedInWithTotp(ClaimsPrincipal? principal) => principal?.HasClaim(Method, Totp) == true;
}
