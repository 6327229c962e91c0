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
    private const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

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
        EnsurePrivateFolder(paths.Secrets);
        if (!File.Exists(file) && TryCreateKeyFile(file))
        {
            logger.LogInformation("Generated a signing key in {Folder}", paths.Secrets);
        }
        else if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & ~PrivateFile) != 0)
        {
            // A key left readable by others (an old version, a careless copy) is made private.
            File.SetUnixFileMode(file, PrivateFile);
        }

        return new SigningKeys(Convert.FromBase64String(File.ReadAllText(file).Trim()));
    }

    /// <summary>Creates the secrets folder as 0700, or tightens an existing one that others can read.</summary>
    private static void EnsurePrivateFolder(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }

        Directory.CreateDirectory(folder, PrivateFolder);
        if ((File.GetUnixFileMode(folder) & ~PrivateFolder) != 0)
        {
            File.SetUnixFileMode(folder, PrivateFolder);
        }
    }

    /// <summary>
    /// Writes a new secret to a temp file that is 0600 from its creation, then moves it into place
    /// without replacing: the key is never readable by others nor seen half-written, and of two
    /// processes starting at once one wins and both use its key. False when another one won.
    /// </summary>
    private static bool TryCreateKeyFile(string file)
    {
        var temp = $"{file}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateFile;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(64))));
                stream.Flush(flushToDisk: true);
            }

            // Without overwrite .NET links then unlinks on Unix: it fails, atomically, if the key exists.
            File.Move(temp, file, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(file))
        {
            return false;
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
