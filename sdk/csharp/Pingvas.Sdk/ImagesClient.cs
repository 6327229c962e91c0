using System.Globalization;

namespace Pingvas.Sdk;

/// <summary>Your gallery: list, read, download.</summary>
public sealed class ImagesClient
{
    private readonly PingvasClient client;

    internal ImagesClient(PingvasClient client) => this.client = client;

    private static PingvasJsonContext Json => PingvasJsonContext.Default;

    public Task<Page<GalleryImage>> ListPageAsync(ImageListOptions? options = null, string? cursor = null, CancellationToken ct = default)
    {
        var o = options ?? new ImageListOptions();
        return client.SendAsync(
            new ApiRequest(Operations.ListImages)
            {
                Query =
                [
                    new("q", o.Query), new("tag", o.Tag), new("folder", o.Folder), new("model", o.Model),
                    new("starred", o.Starred is { } starred ? (starred ? "true" : "false") : null), new("sort", o.Sort),
                    new("cursor", cursor), new("limit", o.Limit?.ToString(CultureInfo.InvariantCulture)),
                ],
            },
            Json.PageGalleryImage,
            ct);
    }

    /// <summary>Every image matching <paramref name="options"/>, page after page.</summary>
    public IAsyncEnumerable<GalleryImage> ListAsync(ImageListOptions? options = null, CancellationToken ct = default) =>
        client.PagesAsync((cursor, token) => ListPageAsync(options, cursor, token), ct);

    public Task<GalleryImage> GetAsync(Guid id, CancellationToken ct = default) =>
        client.SendAsync(new ApiRequest(Operations.GetImage) { Id = id.ToString() }, Json.GalleryImage, ct);

    /// <summary>The image's bytes: the PNG original, or a WebP thumbnail.</summary>
    public async Task<byte[]> DownloadAsync(Guid id, ImageSize size = ImageSize.Original, CancellationToken ct = default)
    {
        using var response = await client.Transport.SendAsync(ContentCall(id, size), ct).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Copies the image's bytes into <paramref name="destination"/> without holding them in memory.</summary>
    public async Task DownloadAsync(Guid id, Stream destination, ImageSize size = ImageSize.Original, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var response = await client.Transport.SendAsync(ContentCall(id, size), ct).ConfigureAwait(false);
        await response.Content.CopyToAsync(destination, ct).ConfigureAwait(false);
    }

    /// <summary>Writes the image to <paramref name="path"/> (replacing it); a failed download leaves no partial file.</summary>
    public async Task DownloadToFileAsync(Guid id, string path, ImageSize size = ImageSize.Original, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var partial = path + ".part";
        try
        {
            await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await DownloadAsync(id, file, size, ct).ConfigureAwait(false);
            }

            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private static ApiRequest ContentCall(Guid id, ImageSize size) => new(Operations.GetImageContent)
    {
        Id = id.ToString(),
        Query = [new("size", size switch { ImageSize.Thumbnail512 => "512", ImageSize.Thumbnail256 => "256", _ => "original" })],
        Accept = "image/*",
        Streaming = true,
    };
}
