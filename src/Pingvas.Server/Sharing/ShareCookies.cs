using System.Globalization;
using System.Security.Cryptography;
using System.Text;

using Microsoft.AspNetCore.WebUtilities;

using Pingvas.Server.Hosting;

namespace Pingvas.Server.Sharing;

/// <summary>
/// The two HttpOnly cookies of a public share. The visitor cookie is a random session id; only its
/// keyed hash, per link, reaches <c>share_views</c>, so views of two links cannot be joined. The
/// unlock cookie, scoped to one link's path, proves its password was given: an HMAC of the share
/// and an expiry, so the server keeps no state for it.
/// </summary>
public sealed class ShareCookies(SigningKeys keys, TimeProvider time)
{
    public const string VisitorName = "pv_share_visitor";
    public const string UnlockName = "pv_share_unlock";
    public const string PublicPath = "/api/v1/public/shares";

    /// <summary>How long an unlock lasts at most (never past the link's own expiry).</summary>
    public static readonly TimeSpan UnlockLifetime = TimeSpan.FromHours(12);

    // Derived from the URL key rather than added to SigningKeys: these cookies are this feature's alone.
    // The first is the current key's; unlock cookies made under a previous key still verify.
    private readonly byte[][] ring = keys.Ring.Select(k => HKDF.DeriveKey(HashAlgorithmName.SHA256, k.UrlKey, 32, info: "pingvas/share-cookies"u8.ToArray())).ToArray();

    /// <summary>The visitor's session id from its cookie, or a new one set on the answer.</summary>
    public string Visitor(HttpContext http)
    {
        if (http.Request.Cookies.TryGetValue(VisitorName, out var value) && value is { Length: 22 } && IsBase64Url(value))
        {
            return value;
        }

        value = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));
        http.Response.Cookies.Append(VisitorName, value, Options(http, PublicPath, expires: null));
        return value;
    }

    /// <summary>
    /// What <c>share_views</c> stores for this visitor of this share. Under the current key only:
    /// after a signing-key rotation a returning visitor hashes differently and counts once more as a view.
    /// </summary>
    public string VisitorHash(Guid shareId, string visitor) => Mac(ring[0], $"visitor\n{shareId:N}\n{visitor}");

    public bool IsUnlocked(HttpContext http, Share share)
    {
        if (!http.Request.Cookies.TryGetValue(UnlockName, out var value) || value?.Split('.') is not [var expires, var mac]
            || !long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds < time.GetUtcNow().ToUnixTimeSeconds())
        {
            return false;
        }

        var given = Encoding.ASCII.GetBytes(mac);
        return ring.Any(key => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(UnlockMac(key, share.Id, seconds)), given));
    }

    public void SetUnlocked(HttpContext http, Share share)
    {
        var until = time.GetUtcNow() + UnlockLifetime;
        if (share.ExpiresAt is { } linkExpires && linkExpires < until.UtcDateTime)
        {
            until = new DateTimeOffset(DateTime.SpecifyKind(linkExpires, DateTimeKind.Utc));
        }

        var seconds = until.ToUnixTimeSeconds();
        http.Response.Cookies.Append(UnlockName, $"{seconds.ToString(CultureInfo.InvariantCulture)}.{UnlockMac(ring[0], share.Id, seconds)}",
            Options(http, $"{PublicPath}/{share.Token}", until));
    }

    private static string UnlockMac(byte[] key, Guid shareId, long expires) => Mac(key, $"unlock\n{shareId:N}\n{expires.ToString(CultureInfo.InvariantCulture)}");

    private static string Mac(byte[] key, string text) => WebEncoders.Base64UrlEncode(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text)));

    private static CookieOptions Options(HttpContext http, string path, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = http.Request.IsHttps,
        SameSite = SameSiteMode.Lax,
        Path = path,
        Expires = expires,
        IsEssential = true,
    };

    private static bool IsBase64Url(string value) => value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
