using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Core.Gallery;
using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.Gallery;

/// <summary>
/// The PostgreSQL search's steps (Gallery/ImageSearch.Postgres.cs: the ordered walk of the side
/// table within a window, the trigram candidates when few, the walk to the end; the images walk for
/// other orders and folder-name terms) with the window and the candidate cap made tiny, so that a
/// corpus of 60 images reaches every step: every query, sort and page size must list exactly what a
/// plain substring test over the corpus expects, and the side table follows tag edits and deletes.
/// </summary>
public sealed class SearchStepsTests(SearchStepsTests.Fixture fixture) : IClassFixture<SearchStepsTests.Fixture>
{
    public sealed class Fixture() : ServerFixture(
        new TestSettings().With("Gallery:SearchWindowRows", "4").With("Gallery:SearchMaxCandidates", "3"), postgres: true);

    private static readonly string[] Queries =
    [
        "여우", "파리", "jellyfish", "cat", "바다 cat", "여우 cat", "zebra", "den", "fox", "고양이 cat",
        "cat&starred=true", "여우&starred=true", "cat&model=sdxl-1.0", "jelly&tag=sea",
    ];

    private readonly PingvasServer server = fixture.Server;

    /// <summary>
    /// 60 images, oldest first: 여우 in every third, cat in every fifth, 바다 in every fourth; the rare
    /// words (파리, jellyfish) only among the oldest, so the walk's window never reaches them; a
    /// folder named "Fox Den" whose images hold neither word; every seventh starred, every sixth
    /// on SDXL, a few trashed.
    /// </summary>
    private static List<CorpusImage> Corpus() =>
    [
        .. Enumerable.Range(0, 60).Select(n => new CorpusImage(
            string.Join(' ', new[]
            {
                n % 3 == 0 ? "붉은여우가" : "",
                n % 5 == 0 ? "a cat" : "",
                n % 4 == 1 ? "겨울바다" : "",
                n is 2 or 9 ? "파리 jellyfish" : "",
                n is 17 ? "고양이" : "",
                $"picture {n}",
            }.Where(w => w.Length > 0)),
            Tags: n % 10 == 2 ? ["sea"] : null,
            Folder: n % 8 == 6 ? "Fox Den" : null,
            Model: n % 6 == 0 ? "sdxl-1.0" : "sd-1.5",
            Starred: n % 7 == 0,
            UseCount: n * 7 % 4,
            DeletedAt: n is 3 or 30 ? SearchCorpus.Start.AddDays(30) : null)),
    ];

    [Theory]
    [InlineData("newest")]
    [InlineData("oldest")]
    [InlineData("most_used")]
    public async Task Every_query_lists_what_a_substring_test_expects_in_every_page_size(string sort)
    {
        var user = await server.RegisterAsync();
        var corpus = Corpus();
        var (ids, _) = await SearchCorpus.InsertAsync(server, user.Id, corpus);

        foreach (var query in Queries)
        {
            var expected = Expected(corpus, ids, query, sort);
            foreach (var limit in new[] { 1, 2, 7, 100 })
            {
                var found = await AllAsync<SearchImageBody>(user.Client, $"/api/v1/images?sort={sort}&q={query}", limit);
                Assert.True(expected.SequenceEqual(found.Select(i => i.Id)), $"q={query} sort={sort} limit={limit}: expected {expected.Count}, found {found.Count}");
            }
        }
    }

    [Fact]
    public async Task The_side_table_follows_tag_edits_and_deletes()
    {
        var user = await server.RegisterAsync();
        var (ids, _) = await SearchCorpus.InsertAsync(server, user.Id, Corpus());
        var image = ids[1];

        Assert.Equal(HttpStatusCode.OK, (await user.Client.PatchAsJsonAsync($"/api/v1/images/{image}", new { tags = new[] { "zebra crossing" } })).StatusCode);
        Assert.Equal([image], (await AllAsync<SearchImageBody>(user.Client, "/api/v1/images?q=zebra")).Select(i => i.Id));

        Assert.Equal(HttpStatusCode.OK, (await user.Client.PostAsJsonAsync("/api/v1/tags/rename", new { from = "zebra crossing", to = "okapi" })).StatusCode);
        Assert.Empty(await AllAsync<SearchImageBody>(user.Client, "/api/v1/images?q=zebra"));
        Assert.Equal([image], (await AllAsync<SearchImageBody>(user.Client, "/api/v1/images?q=okapi")).Select(i => i.Id));

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/images/{image}")).StatusCode);
        Assert.Empty(await AllAsync<SearchImageBody>(user.Client, "/api/v1/images?q=okapi"));
        Assert.Equal([image], (await AllAsync<SearchImageBody>(user.Client, "/api/v1/images?q=okapi&trash=true")).Select(i => i.Id));

        // Purged for good: its row goes with it (ON DELETE CASCADE); one row per image the user keeps.
        Assert.Equal(HttpStatusCode.OK, (await user.Client.DeleteAsync("/api/v1/images/trash")).StatusCode);
        Assert.Equal(57, await SideRowsAsync(user.Id));
        Assert.Equal(57, await server.QueryAsync(db => db.Images.CountAsync(i => i.UserId == user.Id)));
    }

    private Task<int> SideRowsAsync(Guid userId) =>
        server.QueryAsync(db => db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM image_search WHERE user_id = {userId}").SingleAsync());

    /// <summary>The ids a query should list: every term in the search text or the folder's name, the filters, in the sort's order.</summary>
    private static List<Guid> Expected(List<CorpusImage> corpus, List<Guid> ids, string query, string sort)
    {
        var parts = query.Split('&');
        var terms = GalleryText.Terms(parts[0], out _)!;
        var filters = parts.Skip(1).Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        var rows = corpus.Select((image, n) => (Image: image, Id: ids[n], N: n))
            .Where(r => r.Image.DeletedAt is null)
            .Where(r => terms.All(t =>
                GalleryText.SearchText(r.Image.Prompt, r.Image.Negative, GalleryText.Tags(r.Image.Tags ?? [], out _)!).Contains(t, StringComparison.Ordinal)
                || (r.Image.Folder is { } folder && GalleryText.Normalize(folder).Contains(t, StringComparison.Ordinal))))
            .Where(r => !filters.TryGetValue("starred", out var starred) || r.Image.Starred == bool.Parse(starred))
            .Where(r => !filters.TryGetValue("model", out var model) || r.Image.Model == model)
            .Where(r => !filters.TryGetValue("tag", out var tag) || (r.Image.Tags ?? []).Contains(tag));
        return sort switch
        {
            "oldest" => [.. rows.OrderBy(r => r.N).Select(r => r.Id)],
            "most_used" => [.. rows.OrderByDescending(r => r.Image.UseCount).ThenByDescending(r => r.N).Select(r => r.Id)],
            _ => [.. rows.OrderByDescending(r => r.N).Select(r => r.Id)],
        };
    }
}
