using Pingvas.Server.Storage;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Loras;

/// <summary>
/// <see cref="IObjectStore.PutStreamAsync"/>, which LoRA uploads use: exact bytes from a stream read
/// once, and nothing left under the key when the stream ends early — on the local store and on S3
/// (single put up to one part, multipart beyond).
/// </summary>
public sealed class StreamedPutTests(S3ServerFixture fixture) : IClassFixture<S3ServerFixture>
{
    private readonly S3Server s3 = fixture.Server;

    public static TheoryData<string, int> Cases() => new()
    {
        { "local", 300_000 },
        { "s3", 300_000 },
        { "s3", S3ObjectStore.PartBytes + 123_457 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_stream_is_stored_exactly_and_a_short_one_leaves_nothing(string kind, int length)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"pingvas-put-{Guid.NewGuid():N}");
        using var s3Store = kind == "s3" ? s3.CreateStore() : null;
        IObjectStore store = s3Store is not null ? s3Store : new LocalObjectStore(folder);
        try
        {
            var bytes = new byte[length];
            new Random(length).NextBytes(bytes);
            var key = $"users/{Guid.NewGuid():N}/loras/{Guid.NewGuid():N}.safetensors";

            await store.PutStreamAsync(key, new OneWayStream(bytes), length, "application/octet-stream", CancellationToken.None);
            var found = await store.GetAsync(key, CancellationToken.None);
            Assert.NotNull(found);
            await using (found.Content)
            {
                using var copy = new MemoryStream();
                await found.Content.CopyToAsync(copy);
                Assert.Equal(bytes, copy.ToArray());
            }

            var shortKey = $"users/{Guid.NewGuid():N}/loras/{Guid.NewGuid():N}.safetensors";
            await Assert.ThrowsAsync<EndOfStreamException>(() =>
                store.PutStreamAsync(shortKey, new OneWayStream(bytes[..^1]), length, "application/octet-stream", CancellationToken.None));
            Assert.Null(await store.GetAsync(shortKey, CancellationToken.None));
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>Read-only, forward-only, in small reads: what a request body gives.</summary>
    private sealed class OneWayStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 7_001)], cancellationToken);
    }
}
