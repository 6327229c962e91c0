using System.Text.Json;

using Pingvas.Engines;
using Pingvas.Engines.Imaging;
using Pingvas.Server.Data;
using Pingvas.Server.Gallery;
using Pingvas.Server.Jobs;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Queue;

/// <summary>Stores a finished job's images: the PNG original (with its metadata) and 256/512 px WebP thumbnails.</summary>
public sealed class ImageOutputs(IObjectStore store, TimeProvider time, ILogger<ImageOutputs> logger)
{
    public static readonly int[] ThumbnailSizes = [256, 512];

    /// <summary>
    /// Encodes and puts every image's objects. When anything fails part-way (an encoder, the store),
    /// the objects already put are deleted before the original exception goes on: no rows will ever
    /// point at them.
    /// </summary>
    public async Task<IReadOnlyList<Image>> StoreAsync(Job job, EngineResult result, CancellationToken ct)
    {
        var images = new List<Image>();
        var written = new List<string>();
        try
        {
            foreach (var output in result.Images)
            {
                images.Add(await StoreOneAsync(job, output, written, ct));
            }
        }
        catch
        {
            // The caller logs the exception; the clean-up must not depend on a token that may be what failed.
            logger.LogWarning("Storing the images of {JobId} failed part-way; deleting the {Count} object(s) written so far", job.Id, written.Count);
            await DeleteQuietlyAsync(written, CancellationToken.None);
            throw;
        }

        return images;
    }

    /// <summary>
    /// Removes the objects of images that were stored but never committed (the job was taken over, or
    /// the database refused the completion). Best effort and never throws: what a failed delete leaves
    /// behind, <see cref="OrphanObjectSweeper"/> removes later.
    /// </summary>
    public Task DiscardAsync(IEnumerable<Image> images, CancellationToken ct) =>
        DeleteQuietlyAsync(images.SelectMany(i => new[] { i.OriginalKey, i.Thumb256Key, i.Thumb512Key }), ct);

    private async Task<Image> StoreOneAsync(Job job, EngineImage output, List<string> written, CancellationToken ct)
    {
        var id = Ids.New();
        var png = PngEncoder.Encode(output.Pixels, output.Metadata);
        var original = ObjectKeys.Original(job.UserId, id);
        await PutAsync(original, png, "image/png", written, ct);
        long bytes = png.Length;
        foreach (var size in ThumbnailSizes)
        {
            var webp = WebPEncoder.Encode(ImageResizer.Fit(output.Pixels, size), 82);
            await PutAsync(ObjectKeys.Thumbnail(job.UserId, id, size), webp, "image/webp", written, ct);
            bytes += webp.Length;
        }

        return new Image
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
            NegativePrompt = job.NegativePrompt,

            // The job's tags become rows when it succeeds (JobLifecycle.SucceedAsync); the text they are searched by is set here.
            SearchText = JobTags.SearchTextOf(job),
        };
    }

    private async Task PutAsync(string key, byte[] content, string contentType, List<string> written, CancellationToken ct)
    {
        // Recorded before the put: a put that fails late (a timeout after the store kept the bytes) may still have written it.
        written.Add(key);
        await store.PutAsync(key, content, contentType, ct);
    }

    /// <summary>Deletes each key, logging failures instead of throwing, so one failure does not keep the others.</summary>
    private async Task DeleteQuietlyAsync(IEnumerable<string> keys, CancellationToken ct)
    {
        foreach (var key in keys)
        {
            try
            {
                await store.DeleteAsync(key, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                logger.LogWarning("Cancelled before deleting {Key} and the objects after it; the orphan sweep removes them later", key);
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Could not delete object {Key}; the orphan sweep removes it later", key);
            }
        }
    }
}
