using System.Security.Cryptography;

namespace Pingvas.Server.Loras;

/// <summary>
/// Reads <paramref name="prefix"/> (the bytes already taken to check the header), then
/// <paramref name="rest"/>, hashing (SHA-256) and counting everything it hands out, so the file is
/// hashed in the one pass that stores it.
/// </summary>
public sealed class HashingStream(byte[] prefix, Stream rest) : Stream
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private int prefixRead;

    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    /// <summary>Lower-case hex SHA-256 of everything read; call once, at the end.</summary>
    public string HexHash() => Convert.ToHexStringLower(hash.GetHashAndReset());

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        if (prefixRead < prefix.Length)
        {
            read = Math.Min(buffer.Length, prefix.Length - prefixRead);
            prefix.AsMemory(prefixRead, read).CopyTo(buffer);
            prefixRead += read;
        }
        else
        {
            read = await rest.ReadAsync(buffer, cancellationToken);
        }

        hash.AppendData(buffer.Span[..read]);
        BytesRead += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Only read asynchronously: its source is a request body, where Kestrel refuses synchronous I/O.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read asynchronously.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
