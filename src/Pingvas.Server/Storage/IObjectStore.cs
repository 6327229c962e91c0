namespace Pingvas.Server.Storage;

public sealed record StoredObject(Stream Content, string ContentType, long Length);

/// <summary>Where image bytes live: the local disk on the embedded default, S3 in production.</summary>
public interface IObjectStore
{
    Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken ct);

    /// <summary>The object, or null when it does not exist.</summary>
    Task<StoredObject?> GetAsync(string key, CancellationToken ct);

    /// <summary>Deletes the object; deleting a missing object is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken ct);
}
