using System.Security.Cryptography;

namespace Pingvas.Server.Uploads;

/// <summary>Object keys of uploads: under the owner's prefix (erased with the account), with 128 random bits, since ids are sequential.</summary>
public static class UploadKeys
{
    public static string New(Guid userId, Guid uploadId, string format) =>
        $"users/{userId:N}/uploads/{uploadId:N}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}.{Extension(format)}";

    private static string Extension(string format) => format switch
    {
        "png" => "png",
        "webp" => "webp",
        "jpeg" => "jpg",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not an upload format."),
    };
}
