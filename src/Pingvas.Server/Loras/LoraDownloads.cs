using Microsoft.Extensions.Options;

using Pingvas.Server.Hosting;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Loras;

/// <summary>
/// Download links of LoRA files for workers (an InvokeAI node installs a LoRA from a URL): signed,
/// valid for <see cref="LoraOptions.DownloadLinkLifetime"/> (10 min), absolute — on the local store
/// built on <c>App:PublicUrl</c>, on S3 a presigned GET.
/// </summary>
public sealed class LoraDownloads(IObjectUrls urls, IOptions<LoraOptions> loras, IOptions<AppOptions> app)
{
    public Uri DownloadUrl(Lora lora)
    {
        var url = urls.UrlFor(lora.ObjectKey, loras.Value.DownloadLinkLifetime);
        return Uri.TryCreate(url, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https"
            ? absolute
            : app.Value.Link(url);
    }
}
