using System.Globalization;
using System.Security.Cryptography;
using System.Text;

using Pingvas.Server.Hosting;

namespace Pingvas.Server.Storage;

/// <summary>
/// Signed, expiring URLs for stored objects: HMAC-SHA256 over the key and the expiry time, checked
/// in constant time. Whoever holds the URL may read the object until it expires, and nothing else.
/// </summary>
public sealed class UrlSigner(SigningKeys keys, TimeProvider time)
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);
    public const string Route = "/api/v1/files/";

    public string Sign(string key, TimeSpan? lifetime = null)
    {
        // Round expiry up to the minute so URLs are stable within a minute and cache well in browsers.
        var expires = time.GetUtcNow().Add(lifetime ?? DefaultLifetime).ToUnixTimeSeconds();
        expires = (expires + 59) / 60 * 60;
        return $"{Route}{key}?exp={expires.ToString(CultureInfo.InvariantCulture)}&sig={Signature(keys.UrlKey, key, expires)}";
    }

    public bool Verify(string key, long expires, string? signature)
    {
        if (signature is null || expires < time.GetUtcNow().ToUnixTimeSeconds())
        {
            return false;
        }

        // After a rotation a URL signed under a previous key stays good until it expires.
        var given = Encoding.ASCII.GetBytes(signature);
        foreach (var signing in keys.Ring)
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Signature(signing.UrlKey, key, expires)), given))
            {
                return true;
            }
        }

        return false;
    }

    private static string Signature(byte[] urlKey, string key, long expires)
    {
        var mac = HMACSHA256.HashData(urlKey, Encoding.UTF8.GetBytes($"{key}\n{expires.ToString(CultureInfo.InvariantCulture)}"));
        return Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
