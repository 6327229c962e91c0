namespace Pingvas.Server.Storage;

public sealed record StoredObject(Stream Content, string ContentType, long Length);

/// <summary>One listed object: its key, size in bytes and when it was last written (the store's clock).</summary>
public sealed record StoredObjectInfo(string Key, long Size, DateTimeOffset LastModified);

/// <summary>Where image bytes live: the local disk on the embedded default, S3 in production.</summary>
public interface IObjectStore
{
    Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken ct);

    /// <summary>The object, or null when it does not exist.</summary>
    Task<StoredObject?> GetAsync(string key, CancellationToken ct);

    /// <summary>Deletes the object; deleting a missing object is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken ct);

    /// <summary>
    /// Every stored object whose key starts with <paramref name="prefix"/>, read page by page. Writes
    /// still in flight are not listed; objects written or deleted during the walk may or may not be.
    /// </summary>
    IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, CancellationToken ct);
}
