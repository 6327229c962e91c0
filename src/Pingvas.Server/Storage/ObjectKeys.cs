namespace Pingvas.Server.Storage;

/// <summary>Object keys: every object of a user under one prefix, so an account can be erased by prefix.</summary>
public static class ObjectKeys
{
    /// <summary>The prefix of every user's objects.</summary>
    public const string UsersPrefix = "users/";

    private static readonly string[] ImageSuffixes = [".png", "_256.webp", "_512.webp"];

    public static string Original(Guid userId, Guid imageId) => $"users/{userId:N}/images/{imageId:N}.png";

    public static string Thumbnail(Guid userId, Guid imageId, int size) => $"users/{userId:N}/images/{imageId:N}_{size}.webp";

    /// <summary>Only keys we could have produced: lower-case hex, slashes, one dot; no traversal.</summary>
    public static bool IsValid(string key) =>
        key.Length is > 0 and < 256
        && !key.Contains("..", StringComparison.Ordinal)
        && !key.StartsWith('/')
        && key.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '/' or '_' or '.' or '-');

    /// <summary>A listing prefix: empty (everything) or the start of a valid key.</summary>
    public static bool IsValidPrefix(string prefix) => prefix.Length == 0 || IsValid(prefix);

    /// <summary>
    /// The image a key belongs to when it is one of the keys <see cref="Original"/> and
    /// <see cref="Thumbnail"/> produce (<c>users/&lt;user&gt;/images/&lt;image&gt;{.png,_256.webp,_512.webp}</c>).
    /// </summary>
    public static bool TryParseImage(string key, out Guid userId, out Guid imageId)
    {
        userId = imageId = Guid.Empty;
        var parts = key.Split('/');
        return parts is ["users", var user, "images", var file]
            && file.Length > 32
            && ImageSuffixes.Contains(file[32..])
            && IsLowerHexGuid(user, out userId)
            && IsLowerHexGuid(file[..32], out imageId);
    }

    public static string ContentType(string key) =>
        key.EndsWith(".png", StringComparison.Ordinal) ? "image/png"
        : key.EndsWith(".webp", StringComparison.Ordinal) ? "image/webp"
        : "application/octet-stream";

    private static bool IsLowerHexGuid(string text, out Guid id)
    {
        id = Guid.Empty;
        return text.Length == 32 && text.All(char.IsAsciiHexDigitLower) && Guid.TryParseExact(text, "N", out id);
    }
}
