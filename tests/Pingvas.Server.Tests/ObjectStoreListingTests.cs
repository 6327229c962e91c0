using System.Text.RegularExpressions;

using Pingvas.Server.Storage;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary><c>IObjectStore.ListAsync</c>: prefixes, sizes and times on both stores, writes in flight on disk, pages on S3.</summary>
public sealed partial class ObjectStoreListingTests(S3ServerFixture fixture) : IClassFixture<S3ServerFixture>
{
    [Fact]
    public async Task Local_list_walks_a_prefix_and_skips_writes_in_flight()
    {
        var root = Path.Combine(Path.GetTempPath(), "pingvas-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var store = new LocalObjectStore(root);
            await AssertListsPrefixesAsync(store, "t/");

            // A put in flight: the temp file it writes before moving into place is not an object.
            File.WriteAllBytes(Path.Combine(root, "t", "a", "b", "3.png." + Guid.NewGuid().ToString("N") + ".tmp"), [1]);
            Assert.Equal(["t/a/b/1.png", "t/a/b/2.png", "t/a/c.png"], (await ListAsync(store, "t/a/")).Select(o => o.Key).Order(StringComparer.Ordinal));
            Assert.Empty(await ListAsync(store, "nothing/here/"));
            await Assert.ThrowsAsync<ArgumentException>(async () => await ListAsync(store, "../"));
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    [Fact]
    public async Task S3_list_walks_a_prefix()
    {
        using var store = fixture.Server.CreateStore();
        await AssertListsPrefixesAsync(store, $"tests/{Guid.NewGuid():N}/");
    }

    [Fact]
    public async Task S3_list_follows_continuation_tokens_through_every_page()
    {
        using var store = fixture.Server.CreateStore();
        store.ListPageSize = 3;
        var prefix = $"tests/{Guid.NewGuid():N}/";
        var keys = Enumerable.Range(0, 10).Select(i => $"{prefix}{i:00}.png").ToList();
        foreach (var key in keys)
        {
            await store.PutAsync(key, new byte[keys.IndexOf(key) + 1], "image/png", CancellationToken.None);
        }

        // A sibling whose key merely starts with the same characters is outside the prefix.
        await store.PutAsync(prefix.TrimEnd('/') + "x/00.png", new byte[] { 1 }, "image/png", CancellationToken.None);

        var listed = await ListAsync(store, prefix);

        Assert.Equal(keys, listed.Select(o => o.Key));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), listed.Select(o => o.Size));

        // Ten keys at three a page: four requests, each after the first resuming where the one before stopped.
        await WaitForAsync(() => ListRequests(fixture.Server.Output, prefix).Count >= 4);
        var requests = ListRequests(fixture.Server.Output, prefix);
        Assert.Equal(4, requests.Count);
        Assert.Equal([null, keys[2], keys[5], keys[8]], requests.Select(r => r.StartAfter));
    }

    /// <summary>Writes four objects under <paramref name="prefix"/> and checks what each narrower prefix lists.</summary>
    private static async Task AssertListsPrefixesAsync(IObjectStore store, string prefix)
    {
        var started = DateTimeOffset.UtcNow.AddMinutes(-1);
        await store.PutAsync($"{prefix}a/b/1.png", new byte[10], "image/png", CancellationToken.None);
        await store.PutAsync($"{prefix}a/b/2.png", new byte[20], "image/png", CancellationToken.None);
        await store.PutAsync($"{prefix}a/c.png", new byte[30], "image/png", CancellationToken.None);
        await store.PutAsync($"{prefix}ab/d.png", new byte[40], "image/png", CancellationToken.None);

        var all = await ListAsync(store, prefix);
        Assert.Equal(
            [($"{prefix}a/b/1.png", 10L), ($"{prefix}a/b/2.png", 20L), ($"{prefix}a/c.png", 30L), ($"{prefix}ab/d.png", 40L)],
            all.Select(o => (o.Key, o.Size)).OrderBy(o => o.Key, StringComparer.Ordinal));
        Assert.All(all, o => Assert.InRange(o.LastModified, started, DateTimeOffset.UtcNow.AddMinutes(1)));

        Assert.Equal([$"{prefix}a/b/1.png", $"{prefix}a/b/2.png", $"{prefix}a/c.png"], (await ListAsync(store, $"{prefix}a/")).Select(o => o.Key).Order(StringComparer.Ordinal));
        Assert.Equal([$"{prefix}a/b/1.png"], (await ListAsync(store, $"{prefix}a/b/1")).Select(o => o.Key));

        // Gone when deleted.
        await store.DeleteAsync($"{prefix}a/c.png", CancellationToken.None);
        Assert.DoesNotContain($"{prefix}a/c.png", (await ListAsync(store, prefix)).Select(o => o.Key));
        await store.PutAsync($"{prefix}a/c.png", new byte[30], "image/png", CancellationToken.None);
    }

    private static async Task<List<StoredObjectInfo>> ListAsync(IObjectStore store, string prefix)
    {
        var listed = new List<StoredObjectInfo>();
        await foreach (var item in store.ListAsync(prefix, CancellationToken.None))
        {
            listed.Add(item);
        }

        return listed;
    }

    /// <summary>The list requests for <paramref name="prefix"/> at three keys a page in s3rver's log, with the key each resumed after.</summary>
    private static List<(string Options, string? StartAfter)> ListRequests(string log, string prefix) =>
        [.. ListRequestPattern().Matches(log)
            .Select(m => m.Groups["options"].Value)
            .Where(o => o.Contains("\"maxKeys\":3,", StringComparison.Ordinal) && o.Contains($"\"prefix\":\"{prefix}\"", StringComparison.Ordinal))
            .Select(o => (o, StartAfterPattern().Match(o) is { Success: true } m ? m.Groups[1].Value : null))];

    private static async Task WaitForAsync(Func<bool> condition)
    {
        // s3rver writes its log line after the response, and we read its output asynchronously.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }

    [GeneratedRegex("Fetched bucket \"[^\"]+\" with options (?<options>\\{[^\\n]*\\})")]
    private static partial Regex ListRequestPattern();

    [GeneratedRegex("\"startAfter\":\"([^\"]+)\"")]
    private static partial Regex StartAfterPattern();
}
