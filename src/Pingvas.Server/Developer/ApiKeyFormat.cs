using System.Security.Cryptography;
using System.Text;

namespace Pingvas.Server.Developer;

/// <summary>
/// The key format: <c>pv_live_</c> + 12 base62 characters of public lookup id + 32 of secret.
/// A 190-bit random secret needs no slow KDF: SHA-256 of the whole key is stored and compared in constant time.
/// </summary>
public static class ApiKeyFormat
{
    public const string Prefix = "pv_live_";
    public const int LookupLength = 12;
    public const int SecretLength = 32;

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static (string Key, string LookupId, string Hash) New()
    {
        var lookup = RandomNumberGenerator.GetString(Alphabet, LookupLength);
        var key = Prefix + lookup + RandomNumberGenerator.GetString(Alphabet, SecretLength);
        return (key, lookup, Hash(key));
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The lookup id of a well-formed key; null for anything else.</summary>
    public static string? LookupIdOf(string? key)
    {
        if (key is null || key.Length != Prefix.Length + LookupLength + SecretLength || !key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        foreach (var c in key.AsSpan(Prefix.Length))
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return null;
            }
        }

        return key.Substring(Prefix.Length, LookupLength);
    }

    /// <summary>Whether <paramref name="key"/> hashes to <paramref name="storedHash"/>, compared in constant time.</summary>
    public static bool Matches(string key, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(key)), Encoding.ASCII.GetBytes(storedHash));

    public static string VisiblePrefix(string lookupId) => Prefix + lookupId;
}
