using System.Security.Cryptography;

namespace Pingvas.Server.Hosting;

/// <summary>The keys derived from one signing secret, and its id (public: it names the key, it does not reveal it).</summary>
public sealed class SigningKey
{
    private SigningKey(byte[] secret)
    {
        TokenKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, info: "pingvas/access-tokens"u8.ToArray());
        UrlKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, info: "pingvas/signed-urls"u8.ToArray());
        ThrottleKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, info: "pingvas/login-throttle"u8.ToArray());
        Id = Convert.ToHexStringLower(HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 6, info: "pingvas/key-id"u8.ToArray()));
    }

    /// <summary>12 hex characters: the JWT <c>kid</c> and the prefix of what is encrypted at rest under this key.</summary>
    public string Id { get; }

    public byte[] TokenKey { get; }

    public byte[] UrlKey { get; }

    public byte[] ThrottleKey { get; }

    public static SigningKey From(byte[] secret) => new(secret);
}
