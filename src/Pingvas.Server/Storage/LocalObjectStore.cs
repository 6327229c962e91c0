namespace Pingvas.Server.Storage;

/// <summary>Objects as files under the data folder. Writes go to a temp file first, then move into place.</summary>
public sealed class LocalObjectStore(string root) : IObjectStore
{
    /// <summary>Ends the name of a write in flight (<c>&lt;key&gt;.&lt;guid&gt;.tmp</c>); never a key.</summary>
    private const string TempSuffix = ".tmp";

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken ct)
    {
        var path = PathFor(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + "." + Guid.NewGuid().ToString("N") + TempSuffix;
        await File.WriteAllBytesAsync(temp, content.ToArray(), ct);
        File.Move(temp, path, overwrite: true);
    }

    public async Task PutStreamAsync(string key, Stream content, long length, string contentType, CancellationToken ct)
    {
        var path = PathFor(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + "." + Guid.NewGuid().ToString("N") + TempSuffix;
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
            {
                var buffer = new byte[64 * 1024];
                var left = length;
                while (left > 0)
                {
                    var read = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), ct);
                    if (read == 0)
                    {
                        throw new EndOfStreamException($"The stream ended {left} bytes short of {length}.");
                    }

                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                    left -= read;
                }
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            // Nothing half-written stays behind (the move already took a complete one).
            File.Delete(temp);
        }
    }

    public Task<StoredObject?> GetAsync(string key, CancellationToken ct)
    {
        var path = PathFor(key);
        if (!File.Exists(path))
        {
            return Task.FromResult<StoredObject?>(null);
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, useAsync: true);
        return Task.FromResult<StoredObject?>(new StoredObject(stream, ObjectKeys.ContentType(key), stream.Length));
    }

    public Task<bool> ExistsAsync(string key, CancellationToken ct) => Task.FromResult(File.Exists(PathFor(key)));

    public Task DeleteAsync(string key, CancellationToken ct)
    {
        File.Delete(PathFor(key));
        return Task.CompletedTask;
    }

    public IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, CancellationToken ct)
    {
        if (!ObjectKeys.IsValidPrefix(prefix))
        {
            throw new ArgumentException($"Invalid object key prefix '{prefix}'.", nameof(prefix));
        }

        return Enumerate(prefix, ct).ToAsyncEnumerable();
    }

    private IEnumerable<StoredObjectInfo> Enumerate(string prefix, CancellationToken ct)
    {
        // A prefix may end inside a file name (as on S3): walk the folder it names and filter by key.
        var rootFolder = Path.GetFullPath(root);
        var folder = Path.GetFullPath(Path.Combine(rootFolder, prefix[..(prefix.LastIndexOf('/') + 1)]));
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", options))
        {
            ct.ThrowIfCancellationRequested();
            var key = Path.GetRelativePath(rootFolder, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (key.EndsWith(TempSuffix, StringComparison.Ordinal) || !key.StartsWith(prefix, StringComparison.Ordinal) || !ObjectKeys.IsValid(key))
            {
                continue;
            }

            yield return new StoredObjectInfo(key, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));
        }
    }

    private string PathFor(string key)
    {
        if (!ObjectKeys.IsValid(key))
        {
            throw new ArgumentException($"Invalid object key '{key}'.", nameof(key));
        }

        var full = Path.GetFullPath(Path.Combine(root, key));
        return full.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? full
            : throw new ArgumentException($"Invalid object key '{key}'.", nameof(key));
    }
}
