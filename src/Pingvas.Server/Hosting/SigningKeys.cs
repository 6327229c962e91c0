using System.Security.Cryptography;
using System.Text;

namespace Pingvas.Server.Hosting;

/// <summary>
/// Keys for access tokens, signed URLs and sign-in throttle ids, all derived (HKDF) from one secret, <c>Auth:SigningKey</c>.
/// On the embedded default a missing secret is generated once and kept in the data folder;
/// anywhere else the server refuses to start without one. No key is ever fixed in code.
/// </summary>
public sealed class SigningKeys
{
    private SigningKeys(byte[] secret)
    {
        TokenKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, info: "pingvas/access-tokens"u8.ToArray());
        UrlKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, info: "pingvas/signed-urls"u8.ToArray());
        ThrottleKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, info: "pingvas/login-throttle"u8.ToArray());
    }

    public byte[] TokenKey { get; }

    public byte[] UrlKey { get; }

    /// <summary>Keys the ids of sign-in throttle rows (an HMAC of email and client address).</summary>
    public byte[] ThrottleKey { get; }

    public static SigningKeys Load(IConfiguration configuration, DataPaths paths, bool embedded, ILogger logger)
    {
        var configured = configuration["Auth:SigningKey"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (configured.Length < 32)
            {
                throw new InvalidOperationException("Auth:SigningKey must be at least 32 characters of random text.");
            }

            return new SigningKeys(Encoding.UTF8.GetBytes(configured));
        }

        if (!embedded)
        {
            throw new InvalidOperationException(
                "No signing key: set Auth__SigningKey (at least 32 random characters) in the environment. " +
                "A key is only generated automatically on the embedded default (serve on SQLite).");
        }

        var file = Path.Combine(paths.Secrets, "signing-key");
        if (!File.Exists(file))
        {
            Directory.CreateDirectory(paths.Secrets);
            File.WriteAllText(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            logger.LogInformation("Generated a signing key in {Folder}", paths.Secrets);
        }

        return new SigningKeys(Convert.FromBase64String(File.ReadAllText(file).Trim()));
    }
}
