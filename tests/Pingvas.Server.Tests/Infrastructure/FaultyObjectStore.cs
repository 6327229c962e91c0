using Pingvas.Server.Storage;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>
/// A real object store that fails on purpose: the <see cref="FailOnPut"/>-th put (counting from 1)
/// throws before it reaches the store, and every delete throws while <see cref="FailDeletes"/> is set.
/// Everything else goes through.
/// </summary>
public sealed class FaultyObjectStore(IObjectStore inner) : IObjectStore
{
    private int puts;

    public int FailOnPut { get; init; }

    public bool FailDeletes { get; init; }

    public int Puts => Volatile.Read(ref puts);

    public List<string> DeleteAttempts { get; } = [];

    public Task PutAsync(string key, ReadOnlyMemory<byte> content, string contentType, CancellationToken ct) =>
        Interlocked.Increment(ref puts) == FailOnPut
            ? throw new IOException($"Put number {FailOnPut} fails on purpose ({key}).")
            : inner.PutAsync(key, content, contentType, ct);

    public Task<StoredObject?> GetAsync(string key, CancellationToken ct) => inner.GetAsync(key, ct);

    public Task DeleteAsync(string key, CancellationToken ct)
    {
        lock (DeleteAttempts)
        {
            DeleteAttempts.Add(key);
        }

        return FailDeletes ? throw new IOException($"Delete of {key} fails on purpose.") : inner.DeleteAsync(key, ct);
    }

    public IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, CancellationToken ct) => inner.ListAsync(prefix, ct);
}
