namespace Pingvas.Server.Storage;

public sealed record StoredObject(Stream Content, string ContentType, long Length);

/// <summary>One listed object: its key, size in bytes and when it was last written (the store's clock).</summary>
public sealed record StoredObjectInfo(string Key, long Size, DateTimeOffset LastModified);

/// <summary>Where image bytes live: the local disk on the embedded default, S3 in production.</summary>
public interface IObjectStore
{
    Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken ct);

    /// <summary>
    /// Stores exactly <paramref name="length"/> bytes read from <paramref name="content"/> without holding
    /// them all in memory (LoRA files run to hundreds of megabytes). When the stream fails or ends early
    /// the exception propagates and no object is left under the key. The default buffers, for stores
    /// that only ever see small objects (test doubles); the real stores override it.
    /// </summary>
    async Task PutStreamAsync(string key, Stream content, long length, string contentType, CancellationToken ct)
    {
        var buffer = new byte[length];
        await content.ReadExactlyAsync(buffer, ct);
        await PutAsync(key, buffer, contentType, ct);
    }

    /// <summary>The object, or null when it does not exist.</summary>
    Task<StoredObject?> GetAsync(string key, CancellationToken ct);

    /// <summary>Whether the object exists. The default opens it; the real stores ask without reading the bytes.</summary>
    async Task<bool> ExistsAsync(string key, CancellationToken ct)
    {
        var found = await GetAsync(key, ct);
        if (found is null)
        {
            return false;
        }

        await found.Content.DisposeAsync();
        return true;
    }

    /// <summary>Deletes the object; deleting a missing object is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken ct);

    /// <summary>
    /// Every stored object whose key starts with <paramref name="prefix"/>, read page by page. Writes
    /// still in flight are not listed; objects written or deleted during the walk may or may not be.
    /// </summary>
    IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, CancellationToken ct);
}
