using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.Gallery;

/// <summary>
/// Keyset paging of <c>GET /images</c> in each sort: every page size walks the whole listing in
/// order without duplicates or gaps, also with a search, and images added between pages neither
/// repeat nor hide the ones that were there.
/// </summary>
public sealed class SearchPagingTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Theory]
    [InlineData("newest")]
    [InlineData("oldest")]
    [InlineData("most_used")]
    public async Task Every_page_size_walks_every_image_once_in_the_sorts_order(string sort)
    {
        var user = await server.RegisterAsync();
        var (ids, made) = await ArrangeAsync(user);
        var expected = Ordered(ids, made, sort);

        foreach (var limit in new[] { 1, 3, 7, 23, 100 })
        {
            var pages = await PagesAsync<SearchImageBody>(user.Client, $"/api/v1/images?sort={sort}", limit);
            Assert.Equal(expected, pages.SelectMany(p => p.Items).Select(i => i.Id));
            Assert.Equal((ids.Count + limit - 1) / limit, pages.Count);
        }

        // With a search: the fox images only (every third), in the same order.
        var foxes = expected.Where(id => made[ids.IndexOf(id)].Prompt.Contains("여우", StringComparison.Ordinal)).ToList();
        Assert.Equal(8, foxes.Count);
        Assert.Equal(foxes, (await AllAsync<SearchImageBody>(user.Client, $"/api/v1/images?sort={sort}&q=여우", 3)).Select(i => i.Id));
    }

    [Theory]
    [InlineData("newest")]
    [InlineData("oldest")]
    [InlineData("most_used")]
    public async Task Images_added_between_pages_neither_repeat_nor_hide_the_others(string sort)
    {
        var user = await server.RegisterAsync();
        var (ids, made) = await ArrangeAsync(user);
        var expected = Ordered(ids, made, sort);

        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = (await user.Client.GetFromJsonAsync<PageBody<SearchImageBody>>(
                $"/api/v1/images?sort={sort}&limit=4" + (cursor is null ? "" : $"&cursor={cursor}"), Json.Options))!;
            seen.AddRange(page.Items.Select(i => i.Id));
            cursor = page.NextCursor;
            pages++;

            // Newer images, one of them used often: they sort before or after the rest, never in a page twice.
            await SearchCorpus.InsertAsync(server, user.Id, [new($"added {pages} 여우", UseCount: pages % 2 == 0 ? 50 : 0)], hourOffset: 100 + pages);
            Assert.True(pages < 50, "The paging never ends.");
        }
        while (cursor is not null);

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(expected, seen.Where(ids.Contains));
    }

    /// <summary>24 images, every third about a fox, with use counts that tie often.</summary>
    private async Task<(List<Guid> Ids, List<CorpusImage> Made)> ArrangeAsync(TestUser user)
    {
        var made = Enumerable.Range(0, 24)
            .Select(n => new CorpusImage(n % 3 == 0 ? $"붉은여우 {n}" : $"a quiet lake {n}", UseCount: n * 7 % 5))
            .ToList();
        var (ids, _) = await SearchCorpus.InsertAsync(server, user.Id, made);
        return (ids, made);
    }

    /// <summary>The expected order: ids increase with insertion (UUIDv7), and Guid order is the databases' uuid order.</summary>
    private static List<Guid> Ordered(List<Guid> ids, List<CorpusImage> made, string sort) => sort switch
    {
        "oldest" => [.. ids],
        "most_used" => [.. ids.Select((id, n) => (id, made[n].UseCount)).OrderByDescending(x => x.UseCount).ThenByDescending(x => x.id).Select(x => x.id)],
        _ => [.. Enumerable.Reverse(ids)],
    };
}
