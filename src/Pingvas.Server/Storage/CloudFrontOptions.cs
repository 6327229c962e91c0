using System.Security.Cryptography;

namespace Pingvas.Server.Storage;

/// <summary>
/// CloudFront signed URLs in front of the S3 bucket (section <c>Storage:CloudFront</c>, environment
/// <c>Storage__CloudFront__*</c>). Off while <see cref="Domain"/> is empty; then browsers get S3 presigned URLs.
/// </summary>
public sealed class CloudFrontOptions
{
    public const string Section = "Storage:CloudFront";

    /// <summary>The distribution's host name, e.g. <c>d111111abcdef8.cloudfront.net</c> or a custom alias; URLs are https.</summary>
    public string? Domain { get; set; }

    /// <summary>The id of the public key in the distribution's trusted key group (Terraform output <c>cloudfront_key_pair_id</c>).</summary>
    public string? KeyPairId { get; set; }

    /// <summary>The RSA private key as PEM (from the secret store); or <see cref="PrivateKeyFile"/>.</summary>
    public string? PrivateKey { get; set; }

    /// <summary>A file holding the PEM private key (e.g. a mounted secret).</summary>
    public string? PrivateKeyFile { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Domain);

    /// <summary>Throws with the setting to fix when these options cannot work; returns the loaded key.</summary>
    public RSA LoadKey(string storageProvider)
    {
        if (storageProvider != "s3")
        {
            throw new InvalidOperationException("Storage__CloudFront__Domain needs Storage__Provider=s3 (CloudFront serves the S3 bucket).");
        }

        if (Uri.CheckHostName(Domain) is not (UriHostNameType.Dns or UriHostNameType.IPv4))
        {
            throw new InvalidOperationException($"Storage__CloudFront__Domain must be a host name such as d111111abcdef8.cloudfront.net, not '{Domain}'.");
        }

        if (string.IsNullOrWhiteSpace(KeyPairId) || !KeyPairId.All(char.IsAsciiLetterOrDigit))
        {
            throw new InvalidOperationException("Storage__CloudFront__Domain is set: set Storage__CloudFront__KeyPairId to the public key id of the distribution's key group.");
        }

        if (string.IsNullOrWhiteSpace(PrivateKey) == string.IsNullOrWhiteSpace(PrivateKeyFile))
        {
            throw new InvalidOperationException("Storage__CloudFront__Domain is set: set exactly one of Storage__CloudFront__PrivateKey (PEM) or Storage__CloudFront__PrivateKeyFile.");
        }

        var pem = string.IsNullOrWhiteSpace(PrivateKey) ? ReadFile(PrivateKeyFile!) : PrivateKey;
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            // A public key imports too, but cannot sign: catch that here, not on the first image.
            rsa.ExportParameters(includePrivateParameters: true);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            throw new InvalidOperationException("Storage__CloudFront__PrivateKey is not an RSA private key in PEM form (BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY).");
        }

        return rsa;
    }

    private static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Storage__CloudFront__PrivateKeyFile '{path}' cannot be read: {ex.Message}");
        }
    }
}
