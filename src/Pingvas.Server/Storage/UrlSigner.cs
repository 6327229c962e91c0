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
        return $"{Route}{key}?exp={expires.ToString(CultureInfo.InvariantCulture)}&sig={Signature(key, expires)}";
    }

    public bool Verify(string key, long expires, string? signature)
    {
        if (signature is null || expires < time.GetUtcNow().ToUnixTimeSeconds())
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Signature(key, expires));
        var given = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    private string Signature(string key, long expires)
    {
        var mac = HMACSHA256.HashData(keys.UrlKey, Encoding.UTF8.GetBytes($"{key}\n{expires.ToString(CultureInfo.InvariantCulture)}"));
        return Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}
