using System.Security.Cryptography;
using System.Text;

using Pingvas.Server.Hosting;

namespace Pingvas.Server.Webhooks;

/// <summary>
/// Webhook signing secrets: made (<c>whsec_</c> + base64 of 32 random bytes) and kept encrypted at
/// rest with AES-256-GCM under a key derived (HKDF, purpose <c>pingvas/webhook-secrets/v1</c>) from
/// the server's signing key, so a database dump alone reveals none. The stored form is
/// <c>v1:</c> + base64(nonce ‖ tag ‖ ciphertext), with the secret's id bound in as associated data
/// (a ciphertext copied to another row does not decrypt).
/// </summary>
public sealed class WebhookSecrets(SigningKeys keys)
{
    private const string Version = "v1:";
    private const string Prefix = "whsec_";

    private readonly byte[] key = HKDF.DeriveKey(HashAlgorithmName.SHA256, keys.TokenKey, 32, info: "pingvas/webhook-secrets/v1"u8.ToArray());

    public static string NewSecret() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The HMAC key of a secret: its base64 part, decoded (Standard Webhooks).</summary>
    public static byte[] KeyOf(string secret) =>
        Convert.FromBase64String(secret.StartsWith(Prefix, StringComparison.Ordinal) ? secret[Prefix.Length..] : secret);

    public string Encrypt(string secret, Guid owner)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var output = new byte[12 + 16 + plain.Length];
        var nonce = output.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(nonce, plain, output.AsSpan(28), output.AsSpan(12, 16), owner.ToByteArray());
        return Version + Convert.ToBase64String(output);
    }

    public string Decrypt(string stored, Guid owner)
    {
        if (!stored.StartsWith(Version, StringComparison.Ordinal))
        {
            throw new CryptographicException("Unknown webhook secret format.");
        }

        var input = Convert.FromBase64String(stored[Version.Length..]);
        var plain = new byte[input.Length - 28];
        using var aes = new AesGcm(key, 16);
        aes.Decrypt(input.AsSpan(0, 12), input.AsSpan(28), input.AsSpan(12, 16), plain, owner.ToByteArray());
        return Encoding.UTF8.GetString(plain);
    }
}
