using System.Security.Cryptography;
using System.Text;

using Pingvas.Server.Hosting;

namespace Pingvas.Server.Webhooks;

/// <summary>
/// Webhook signing secrets: made (<c>whsec_</c> + base64 of 32 random bytes) and kept encrypted at
/// rest with AES-256-GCM under a key derived (HKDF, purpose <c>pingvas/webhook-secrets/v1</c>) from
/// the server's signing key, so a database dump alone reveals none. The stored form is
/// <c>v2:</c> + the signing key's id + <c>:</c> + base64(nonce ‖ tag ‖ ciphertext), with the secret's
/// owner bound in as associated data (a ciphertext copied to another user's row does not decrypt).
/// Rows written before key ids (<c>v1:</c> + base64) are tried against every key of the ring.
/// After a rotation <see cref="WebhookSecretRekey"/> moves every row to the current key.
/// </summary>
public sealed class WebhookSecrets(SigningKeys keys)
{
    private const string Legacy = "v1:";
    private const string Version = "v2:";
    private const string Prefix = "whsec_";
    private const int Overhead = 12 + 16;

    // One AES key per signing key of the ring, by the signing key's id.
    private readonly Dictionary<string, byte[]> ring = keys.Ring.ToDictionary(k => k.Id, Derive);

    /// <summary>How every secret encrypted under the current signing key begins.</summary>
    public string CurrentPrefix { get; } = $"{Version}{keys.Current.Id}:";

    public static string NewSecret() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The HMAC key of a secret: its base64 part, decoded (Standard Webhooks).</summary>
    public static byte[] KeyOf(string secret) =>
        Convert.FromBase64String(secret.StartsWith(Prefix, StringComparison.Ordinal) ? secret[Prefix.Length..] : secret);

    public string Encrypt(string secret, Guid owner)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var output = new byte[Overhead + plain.Length];
        var nonce = output.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(ring[keys.Current.Id], 16);
        aes.Encrypt(nonce, plain, output.AsSpan(Overhead), output.AsSpan(12, 16), owner.ToByteArray());
        return CurrentPrefix + Convert.ToBase64String(output);
    }

    /// <summary>
    /// Whether the stored form needs no re-encryption: under the current key with its id, or a
    /// <c>v1:</c> row the current key opens (left as it is, so an image from before key ids still reads it after a roll-back).
    /// </summary>
    public bool IsUnderCurrentKey(string stored, Guid owner) =>
        stored.StartsWith(CurrentPrefix, StringComparison.Ordinal)
        || (stored.StartsWith(Legacy, StringComparison.Ordinal) && TryOpen(ring[keys.Current.Id], Convert.FromBase64String(stored[Legacy.Length..]), owner) is not null);

    public string Decrypt(string stored, Guid owner)
    {
        if (stored.StartsWith(Legacy, StringComparison.Ordinal))
        {
            var input = Convert.FromBase64String(stored[Legacy.Length..]);
            // No key id: AES-GCM authenticates, so the key whose tag matches is the right one.
            foreach (var key in ring.Values)
            {
                if (TryOpen(key, input, owner) is { } plain)
                {
                    return plain;
                }
            }

            throw new CryptographicException("The webhook secret decrypts under no key of Auth:SigningKey and Auth:PreviousSigningKeys.");
        }

        var colon = stored.IndexOf(':', Version.Length);
        if (!stored.StartsWith(Version, StringComparison.Ordinal) || colon < 0)
        {
            throw new CryptographicException("Unknown webhook secret format.");
        }

        var id = stored[Version.Length..colon];
        if (!ring.TryGetValue(id, out var owned))
        {
            throw new CryptographicException($"The webhook secret is encrypted under signing key {id}, which is neither Auth:SigningKey nor one of Auth:PreviousSigningKeys.");
        }

        return TryOpen(owned, Convert.FromBase64String(stored[(colon + 1)..]), owner)
            ?? throw new CryptographicException("The webhook secret does not decrypt (tampered with, or copied from another owner).");
    }

    private static string? TryOpen(byte[] key, byte[] input, Guid owner)
    {
        if (input.Length < Overhead)
        {
            throw new CryptographicException("The webhook secret is too short.");
        }

        var plain = new byte[input.Length - Overhead];
        using var aes = new AesGcm(key, 16);
        try
        {
            aes.Decrypt(input.AsSpan(0, 12), input.AsSpan(Overhead), input.AsSpan(12, 16), plain, owner.ToByteArray());
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }

        return Encoding.UTF8.GetString(plain);
    }

    private static byte[] Derive(SigningKey key) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key.TokenKey, 32, info: "pingvas/webhook-secrets/v1"u8.ToArray());
}
