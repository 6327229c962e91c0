namespace Pingvas.Server.Storage;

/// <summary>Settings of the S3-compatible object store (section <c>Storage:S3</c>, environment <c>Storage__S3__*</c>).</summary>
public sealed class S3StorageOptions
{
    public const string Section = "Storage:S3";

    /// <summary>The endpoint, e.g. <c>https://s3.eu-west-1.amazonaws.com</c> or <c>http://127.0.0.1:4568</c>; buckets are addressed path-style.</summary>
    public string? ServiceUrl { get; set; }

    public string? Bucket { get; set; }

    /// <summary>With <see cref="SecretKey"/>; when both are empty the SDK's default credential chain is used (e.g. an instance role).</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>The region requests are signed for.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Lifetime of presigned GET URLs (and of CloudFront signed URLs when those are on), 1 s to 7 days (the SigV4 maximum).</summary>
    public int PresignSeconds { get; set; } = 3600;

    /// <summary>Optional scheme + host (e.g. a CDN) that replaces the endpoint's in presigned URLs; the path and signed query are kept.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Throws with the setting to fix when these options cannot work.</summary>
    public S3StorageOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(ServiceUrl))
        {
            throw new InvalidOperationException("Storage__Provider is s3: set Storage__S3__ServiceUrl (e.g. https://s3.eu-west-1.amazonaws.com).");
        }

        if (!IsHttpUrl(ServiceUrl))
        {
            throw new InvalidOperationException($"Storage__S3__ServiceUrl must be an absolute http or https URL, not '{ServiceUrl}'.");
        }

        if (string.IsNullOrWhiteSpace(Bucket))
        {
            throw new InvalidOperationException("Storage__Provider is s3: set Storage__S3__Bucket.");
        }

        if (string.IsNullOrEmpty(AccessKey) != string.IsNullOrEmpty(SecretKey))
        {
            throw new InvalidOperationException("Set both Storage__S3__AccessKey and Storage__S3__SecretKey, or neither (the default AWS credential chain).");
        }

        if (PresignSeconds is < 1 or > 7 * 24 * 3600)
        {
            throw new InvalidOperationException($"Storage__S3__PresignSeconds must be between 1 and 604800 (7 days), not {PresignSeconds}.");
        }

        if (!string.IsNullOrEmpty(PublicBaseUrl) && !IsHttpUrl(PublicBaseUrl))
        {
            throw new InvalidOperationException($"Storage__S3__PublicBaseUrl must be an absolute http or https URL, not '{PublicBaseUrl}'.");
        }

        return this;
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
