using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pingvas.Server.Storage;

/// <summary>
/// CloudFront signed URLs with a canned policy, as AWS documents in "Create a signed URL using a
/// canned policy": <c>https://{domain}/{key}?Expires=…&amp;Signature=…&amp;Key-Pair-Id=…</c>, where the
/// signature is RSA-SHA1 (PKCS#1 v1.5) over the policy JSON in CloudFront's URL-safe base64.
/// The distribution refuses unsigned or expired requests, so no private object is reachable without one.
/// </summary>
public sealed class CloudFrontUrls(CloudFrontOptions options, RSA key, TimeSpan defaultLifetime, TimeProvider time) : IObjectUrls, IDisposable
{
    private readonly string domain = options.Domain!.Trim().ToLowerInvariant();
    private readonly string keyPairId = options.KeyPairId!;
    private readonly Lock signing = new();

    // An RSA signature costs about a millisecond and a gallery page asks for hundreds; with the expiry
    // rounded to the minute the URLs of one minute repeat, so they are kept until the minute turns.
    private volatile RecentUrls recent = new(0, new());

    /// <summary>URLs kept per minute at most; beyond that they are signed each time.</summary>
    internal const int RecentLimit = 50_000;

    public string UrlFor(string key)
    {
        var expires = ExpiresAt(defaultLifetime);
        var cache = recent;
        if (cache.Expires != expires)
        {
            // Swapped as one reference, so no reader pairs a new expiry with the old minute's URLs.
            cache = recent = new RecentUrls(expires, new());
        }

        if (cache.Urls.TryGetValue(key, out var url))
        {
            return url;
        }

        url = Build(key, expires);
        if (Interlocked.Increment(ref cache.Added) <= RecentLimit)
        {
            cache.Urls.TryAdd(key, url);
        }

        return url;
    }

    public string UrlFor(string key, TimeSpan lifetime) => Build(key, ExpiresAt(lifetime));

    private long ExpiresAt(TimeSpan lifetime)
    {
        // Round up to the minute so a URL is stable within a minute and browsers can cache it.
        var expires = time.GetUtcNow().Add(lifetime).ToUnixTimeSeconds();
        return (expires + 59) / 60 * 60;
    }

    private string Build(string key, long expires)
    {
        if (!ObjectKeys.IsValid(key))
        {
            throw new ArgumentException($"Invalid object key '{key}'.", nameof(key));
        }


        // Our keys are lower-case letters, digits and / _ . - only: the resource needs no escaping.
        var resource = $"https://{domain}/{key}";
        var signature = Sign(CannedPolicy(resource, expires));
        return $"{resource}?Expires={expires.ToString(CultureInfo.InvariantCulture)}&Signature={signature}&Key-Pair-Id={keyPairId}";
    }

    /// <summary>The canned policy exactly as CloudFront rebuilds it to check the signature: no whitespace.</summary>
    public static string CannedPolicy(string resource, long expires) =>
        "{\"Statement\":[{\"Resource\":\"" + resource + "\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":"
        + expires.ToString(CultureInfo.InvariantCulture) + "}}}]}";

    /// <summary>CloudFront's URL-safe base64: <c>+</c> → <c>-</c>, <c>=</c> → <c>_</c>, <c>/</c> → <c>~</c>.</summary>
    public static string UrlSafe(byte[] bytes) =>
        Convert.ToBase64String(bytes).Replace('+', '-').Replace('=', '_').Replace('/', '~');

    public void Dispose() => key.Dispose();

    private sealed class RecentUrls(long expires, ConcurrentDictionary<string, string> urls)
    {
        public long Expires { get; } = expires;

        public ConcurrentDictionary<string, string> Urls { get; } = urls;

        /// <summary>Entries added (ConcurrentDictionary.Count takes every lock).</summary>
        public int Added;
    }

    private string Sign(string policy)
    {
        // RSA instances are not documented as thread-safe.
        lock (signing)
        {
            return UrlSafe(key.SignData(Encoding.UTF8.GetBytes(policy), HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1));
        }
    }
}
