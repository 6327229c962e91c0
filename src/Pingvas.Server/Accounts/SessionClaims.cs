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

    /// <summary>
    /// When the session signed in (OIDC's auth_time, Unix seconds on the server's clock): rotations keep it, so
    /// "signed in less than N minutes ago" can be asked of any access token (deleting an account without a password).
    /// </summary>
    public const string AuthTime = "auth_time";

    /// <summary>The session's sign-in time, or null for a token issued before the claim existed.</summary>
    public static DateTimeOffset? SignedInAt(ClaimsPrincipal? principal) =>
        long.TryParse(principal?.FindFirstValue(AuthTime), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    public static int VersionOf(ClaimsPrincipal? principal) =>
        int.TryParse(principal?.FindFirstValue(Version), NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : 0;

    public static bool SignedInWithTotp(ClaimsPrincipal? principal) => principal?.HasClaim(Method, Totp) == true;
}
