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

    private const int SecretBytes = 64;

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
        if (TryCreateKeyFile(file))
        {
            logger.LogInformation("Generated a signing key in {Folder}", paths.Secrets);
        }
        else if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & ~PrivateFile) != 0)
        {
            // A key left readable by others (an old version, a careless copy) is made private.
            File.SetUnixFileMode(file, PrivateFile);
        }

        return new SigningKeys(ReadKeyFile(file));
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
    /// Creates the key file exclusively (O_EXCL), private from its creation, and writes the secret in one write:
    /// of processes starting at once exactly one creates it and all use its key, on any file system
    /// (a link-then-unlink move is not atomic where hard links are unsupported). False when it already exists.
    /// </summary>
    private static bool TryCreateKeyFile(string file)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateFile;
        }

        FileStream stream;
        try
        {
            stream = new FileStream(file, options);
        }
        catch (IOException) when (File.Exists(file))
        {
            return false;
        }

        using (stream)
        {
            stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretBytes))));
            stream.Flush(flushToDisk: true);
        }

        return true;
    }

    /// <summary>
    /// Reads the secret, waiting briefly while a process that won the creation race is still writing it:
    /// the file exists from its creation but holds the key only after that one write.
    /// </summary>
    private static byte[] ReadKeyFile(string file)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var text = File.ReadAllText(file).Trim();
            if (text.Length > 0 && Convert.TryFromBase64String(text, new byte[text.Length], out var length) && length >= 32)
            {
                return Convert.FromBase64String(text);
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    $"The signing key in {file} is empty or damaged. If nothing was ever signed with it, delete it and start again to generate a new one.");
            }

            Thread.Sleep(20);
        }
    }
}
