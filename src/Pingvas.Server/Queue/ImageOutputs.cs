using System.Text.Json;

using Pingvas.Engines;
using Pingvas.Engines.Imaging;
using Pingvas.Server.Data;
using Pingvas.Server.Gallery;
using Pingvas.Server.Jobs;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Queue;

/// <summary>Stores a finished job's images: the PNG original (with its metadata) and 256/512 px WebP thumbnails.</summary>
public sealed class ImageOutputs(IObjectStore store, TimeProvider time)
{
    public static readonly int[] ThumbnailSizes = [256, 512];

    public async Task<IReadOnlyList<Image>> StoreAsync(Job job, EngineResult result, CancellationToken ct)
    {
        var images = new List<Image>();
        foreach (var output in result.Images)
        {
            var id = Ids.New();
            var png = PngEncoder.Encode(output.Pixels, output.Metadata);
            var original = ObjectKeys.Original(job.UserId, id);
            await store.PutAsync(original, png, "image/png", ct);
            long bytes = png.Length;
            foreach (var size in ThumbnailSizes)
            {
                var webp = WebPEncoder.Encode(ImageResizer.Fit(output.Pixels, size), 82);
                await store.PutAsync(ObjectKeys.Thumbnail(job.UserId, id, size), webp, "image/webp", ct);
                bytes += webp.Length;
            }

            images.Add(new Image
            {
                Id = id,
                UserId = job.UserId,
                JobId = job.Id,
                BatchIndex = output.Index,
                Seed = output.Seed,
                Width = output.Pixels.Width,
                Height = output.Pixels.Height,
                ModelId = job.ModelId,
                Prompt = job.Prompt,
                OriginalKey = original,
                Thumb256Key = ObjectKeys.Thumbnail(job.UserId, id, 256),
                Thumb512Key = ObjectKeys.Thumbnail(job.UserId, id, 512),
                StoredBytes = bytes,
                Metadata = JsonSerializer.Serialize(output.Metadata),
                CreatedAt = time.GetUtcNow().UtcDateTime,
            });
        }

        return images;
    }

    /// <summary>Removes objects of images that were stored but never committed (the job was taken over).</summary>
    public async Task DiscardAsync(IEnumerable<Image> images, CancellationToken ct)
    {
        foreach (var image in images)
        {
            await store.DeleteAsync(image.OriginalKey, ct);
            await store.DeleteAsync(image.Thumb256Key, ct);
            await store.DeleteAsync(image.Thumb512Key, ct);
        }
    }
}
