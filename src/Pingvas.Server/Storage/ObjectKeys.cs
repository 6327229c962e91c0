namespace Pingvas.Server.Storage;

/// <summary>Object keys: every object of a user under one prefix, so an account can be erased by prefix.</summary>
public static class ObjectKeys
{
    public static string Original(Guid userId, Guid imageId) => $"users/{userId:N}/images/{imageId:N}.png";

    public static string Thumbnail(Guid userId, Guid imageId, int size) => $"users/{userId:N}/images/{imageId:N}_{size}.webp";

    /// <summary>Only keys we could have produced: lower-case hex, slashes, one dot; no traversal.</summary>
    public static bool IsValid(string key) =>
        key.Length is > 0 and < 256
        && !key.Contains("..", StringComparison.Ordinal)
        && !key.StartsWith('/')
        && key.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '/' or '_' or '.' or '-');

    public static string ContentType(string key) =>
        key.EndsWith(".png", StringComparison.Ordinal) ? "image/png"
        : key.EndsWith(".webp", StringComparison.Ordinal) ? "image/webp"
        : "application/octet-stream";
}
