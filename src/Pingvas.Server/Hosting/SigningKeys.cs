using System.Security.Cryptography;
using System.Text;

namespace Pingvas.Server.Hosting;

/// <summary>
/// Keys for access tokens, signed URLs and sign-in throttle ids, all derived (HKDF) from one secret, <c>Auth:SigningKey</c>.
/// On the embedded default a missing secret is generated once and kept in the data folder;
/// anywhere else the server refuses to start without one. No key is ever fixed in code.
/// Rotation: <c>Auth:PreviousSigningKeys</c> lists secrets that are no longer used to sign or encrypt
/// but still verify and decrypt, so a key change logs nobody out (docs/operations.md "Rotate the signing key").
/// </summary>
public sealed class SigningKeys
{
    private const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const int SecretBytes = 64;

    private const int MinimumLength = 32;

    private SigningKeys(SigningKey current, IEnumerable<SigningKey> previous)
    {
        Current = current;
        // The same secret listed twice (or as current and previous) would only cost a second check.
        Ring = [current, .. previous.Where(k => k.Id != current.Id).DistinctBy(k => k.Id)];
    }

    /// <summary>The key everything is signed and encrypted with.</summary>
    public SigningKey Current { get; }

    /// <summary>The current key first, then the previous ones: what verifies and decrypts.</summary>
    public IReadOnlyList<SigningKey> Ring { get; }

    public byte[] TokenKey => Current.TokenKey;

    public byte[] UrlKey => Current.UrlKey;

    /// <summary>Keys the ids of sign-in throttle rows (an HMAC of email and client address); a rotation simply resets them.</summary>
    public byte[] ThrottleKey => Current.ThrottleKey;

    public static SigningKeys Load(IConfiguration configuration, DataPaths paths, bool embedded, ILogger logger)
    {
        var previous = PreviousKeys(configuration);
        var configured = configuration["Auth:SigningKey"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (configured.Length < MinimumLength)
            {
                throw new InvalidOperationException("Auth:SigningKey must be at least 32 characters of random text.");
            }

            return new SigningKeys(SigningKey.From(Encoding.UTF8.GetBytes(configured)), previous);
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

        return new SigningKeys(SigningKey.From(ReadKeyFile(file)), previous);
    }

    /// <summary>
    /// <c>Auth:PreviousSigningKeys</c> (<c>Auth__PreviousSigningKeys__0</c>, <c>__1</c> …), each held to
    /// the same length rule as the current key: a short one is a mistake worth refusing to start over.
    /// </summary>
    private static List<SigningKey> PreviousKeys(IConfiguration configuration)
    {
        var keys = new List<SigningKey>();
        foreach (var entry in configuration.GetSection("Auth:PreviousSigningKeys").GetChildren())
        {
            if (string.IsNullOrWhiteSpace(entry.Value))
            {
                continue;
            }

            if (entry.Value.Length < MinimumLength)
            {
                throw new InvalidOperationException($"Auth:PreviousSigningKeys:{entry.Key} must be at least 32 characters: it is an earlier Auth:SigningKey.");
            }

            keys.Add(SigningKey.From(Encoding.UTF8.GetBytes(entry.Value)));
        }

        return keys;
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
