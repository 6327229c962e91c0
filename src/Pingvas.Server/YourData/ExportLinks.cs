using Microsoft.Extensions.Options;

using Pingvas.Server.Hosting;
using Pingvas.Server.Storage;

namespace Pingvas.Server.YourData;

/// <summary>
/// The download link of a ready export: signed, absolute (on the local store built on
/// <c>App:PublicUrl</c>, on S3 a presigned GET), valid until the export expires.
/// </summary>
public sealed class ExportLinks(IObjectUrls urls, IOptions<AppOptions> app, TimeProvider time)
{
    /// <summary>The ZIP's key: under the owner's prefix, so deleting the account removes it too.</summary>
    public static string KeyOf(Guid userId, Guid exportId) => $"users/{userId:N}/exports/{exportId:N}.zip";

    public Uri? DownloadUrl(DataExport export)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (export.Status != ExportStatus.Ready || export.ObjectKey is null || export.ExpiresAt is not { } expires || expires <= now)
        {
            return null;
        }

        var url = urls.UrlFor(export.ObjectKey, expires - now);
        return Uri.TryCreate(url, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https"
            ? absolute
            : app.Value.Link(url);
    }
}
