using System.Net;
using System.Runtime.CompilerServices;

using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Pingvas.Server.Storage;

/// <summary>
/// Objects in one bucket of an S3-compatible store through the AWS SDK: a custom endpoint, path-style
/// addressing, and checksums only where the protocol requires them (S3-compatible servers that do not
/// know the newer checksum trailers then store the bytes as sent).
/// </summary>
public sealed class S3ObjectStore : IObjectStore, IObjectUrls, IDisposable
{
    private readonly AmazonS3Client client;
    private readonly S3StorageOptions options;
    private readonly bool http;

    public S3ObjectStore(S3StorageOptions options)
    {
        this.options = options.Validate();
        http = options.ServiceUrl!.StartsWith("http://", StringComparison.OrdinalIgnoreCase);
        var config = new AmazonS3Config
        {
            ServiceURL = options.ServiceUrl,
            ForcePathStyle = true,
            AuthenticationRegion = string.IsNullOrWhiteSpace(options.Region) ? "us-east-1" : options.Region,
            UseHttp = http,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        client = string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    public string Bucket => options.Bucket!;

    /// <summary>Keys per ListObjectsV2 page (S3's maximum is 1000); tests lower it to walk several pages.</summary>
    internal int ListPageSize { get; set; } = 1000;

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken ct)
    {
        Check(key);
        using var body = new MemoryStream(content.ToArray(), writable: false);
        await client.PutObjectAsync(
            new PutObjectRequest
            {
                BucketName = Bucket,
                Key = key,
                InputStream = body,
                ContentType = contentType,
                AutoCloseStream = false,
                // Plain body with a Content-Length: aws-chunked framing would be stored as-is by simpler S3 servers.
                UseChunkEncoding = false,
            },
            ct);
    }

    /// <summary>Parts of a streamed put: S3 wants at least 5 MiB per part but the last, so this is what one put holds in memory.</summary>
    internal const int PartBytes = 8 * 1024 * 1024;

    /// <summary>Up to one part: a single put; larger: a multipart upload, aborted when the stream fails.</summary>
    public async Task PutStreamAsync(string key, Stream content, long length, string contentType, CancellationToken ct)
    {
        Check(key);
        var buffer = new byte[(int)Math.Min(PartBytes, Math.Max(length, 1))];
        if (length <= PartBytes)
        {
            await content.ReadExactlyAsync(buffer.AsMemory(0, (int)length), ct);
            await PutAsync(key, buffer.AsMemory(0, (int)length), contentType, ct);
            return;
        }

        var upload = await client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key, ContentType = contentType }, ct);
        try
        {
            var parts = new List<PartETag>();
            var left = length;
            for (var number = 1; left > 0; number++)
            {
                var size = (int)Math.Min(PartBytes, left);
                await content.ReadExactlyAsync(buffer.AsMemory(0, size), ct);
                using var body = new MemoryStream(buffer, 0, size, writable: false);
                var part = await client.UploadPartAsync(
                    new UploadPartRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartNumber = number, InputStream = body, PartSize = size, UseChunkEncoding = false },
                    ct);
                parts.Add(new PartETag(number, part.ETag));
                left -= size;
            }

            await client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartETags = parts }, ct);
        }
        catch
        {
            try
            {
                await client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None);
            }
            catch (AmazonS3Exception)
            {
                // Best effort (some S3-compatible servers lack abort): the parts are no object, and the
                // failure that matters is the stream's, rethrown below.
            }

            throw;
        }
    }

    public async Task<StoredObject?> GetAsync(string key, CancellationToken ct)
    {
        Check(key);
        GetObjectResponse response;
        try
        {
            response = await client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = key }, ct);
        }
        catch (AmazonS3Exception ex) when (IsNotFound(ex))
        {
            return null;
        }

        // The caller disposes the stream, which releases the HTTP response behind it.
        var contentType = string.IsNullOrEmpty(response.Headers.ContentType) ? ObjectKeys.ContentType(key) : response.Headers.ContentType;
        return new StoredObject(response.ResponseStream, contentType, response.ContentLength);
    }

    /// <summary>A HEAD request: no body is transferred.</summary>
    public async Task<bool> ExistsAsync(string key, CancellationToken ct)
    {
        Check(key);
        try
        {
            await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Bucket, Key = key }, ct);
            return true;
        }
        catch (AmazonS3Exception ex) when (IsNotFound(ex))
        {
            return false;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken ct)
    {
        Check(key);
        try
        {
            await client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = key }, ct);
        }
        catch (AmazonS3Exception ex) when (IsNotFound(ex))
        {
            // S3 answers 204 for a missing key; some compatible servers answer 404. Either way it is gone.
        }
    }

    public async IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        if (!ObjectKeys.IsValidPrefix(prefix))
        {
            throw new ArgumentException($"Invalid object key prefix '{prefix}'.", nameof(prefix));
        }

        string? continuation = null;
        do
        {
            var page = await client.ListObjectsV2Async(
                new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix, MaxKeys = ListPageSize, ContinuationToken = continuation },
                ct);

            // SDK v4 leaves empty collections and absent values null. A missing time counts as now,
            // so a sweep never takes such an object for an old one.
            foreach (var item in page.S3Objects ?? [])
            {
                var modified = item.LastModified is { } at ? new DateTimeOffset(at.ToUniversalTime()) : DateTimeOffset.UtcNow;
                yield return new StoredObjectInfo(item.Key, item.Size ?? 0, modified);
            }

            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);
    }

    /// <summary>A presigned GET valid for <see cref="S3StorageOptions.PresignSeconds"/> (or the given lifetime), optionally on <see cref="S3StorageOptions.PublicBaseUrl"/>.</summary>
    public string UrlFor(string key) => UrlFor(key, TimeSpan.FromSeconds(options.PresignSeconds));

    public string UrlFor(string key, TimeSpan lifetime)
    {
        Check(key);

        // The SDK signs with the wall clock (X-Amz-Date), so the expiry is taken from it too, not from TimeProvider.
        var url = client.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = Bucket,
            Key = key,
            Verb = HttpVerb.GET,
            Protocol = http ? Protocol.HTTP : Protocol.HTTPS,
            Expires = DateTime.UtcNow.Add(lifetime),
        });
        return string.IsNullOrEmpty(options.PublicBaseUrl) ? url : WithBase(url, options.PublicBaseUrl);
    }

    public void Dispose() => client.Dispose();

    /// <summary>Replaces the scheme and host of <paramref name="url"/> with <paramref name="publicBase"/>, keeping path and query.</summary>
    internal static string WithBase(string url, string publicBase)
    {
        var hostStart = url.IndexOf("://", StringComparison.Ordinal) + 3;
        var pathStart = url.IndexOf('/', hostStart);
        return publicBase.TrimEnd('/') + (pathStart < 0 ? "/" : url[pathStart..]);
    }

    private static bool IsNotFound(AmazonS3Exception ex) =>
        ex.StatusCode == HttpStatusCode.NotFound || ex.ErrorCode is "NoSuchKey" or "NotFound";

    private static void Check(string key)
    {
        if (!ObjectKeys.IsValid(key))
        {
            throw new ArgumentException($"Invalid object key '{key}'.", nameof(key));
        }
    }
}
