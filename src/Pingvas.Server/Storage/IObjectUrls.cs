namespace Pingvas.Server.Storage;

/// <summary>The URL a client (browser, app) uses to download a stored object without a bearer token.</summary>
public interface IObjectUrls
{
    // Expiry: valid for at least the configured lifetime from the moment it is built (local: 1 h, rounded up to the minute; S3: Storage__S3__PresignSeconds), then refused — clients re-read the image or generation to get a fresh one.
    /// <summary>
    /// A URL that reads <paramref name="key"/> until it expires: our own HMAC-signed files route on the
    /// local store, an S3 presigned GET on S3.
    /// </summary>
    string UrlFor(string key);

    /// <summary>As <see cref="UrlFor(string)"/>, valid for <paramref name="lifetime"/> instead of the configured lifetime (e.g. a worker's short download link).</summary>
    string UrlFor(string key, TimeSpan lifetime);
}

/// <summary>The embedded default: signed <c>/api/v1/files/{key}?exp&amp;sig</c> URLs served by <see cref="FileEndpoints"/>.</summary>
public sealed class LocalObjectUrls(UrlSigner signer) : IObjectUrls
{
    public string UrlFor(string key) => signer.Sign(key);

    public string UrlFor(string key, TimeSpan lifetime) => signer.Sign(key, lifetime);
}
