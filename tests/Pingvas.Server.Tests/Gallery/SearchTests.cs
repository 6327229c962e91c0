using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.Gallery;

/// <summary>
/// <c>GET /images?q=</c> on a Korean/English corpus, on the test database (SQLite: FTS5 trigram and
/// instr; PostgreSQL: pg_trgm LIKE and strpos): every term must be a substring of the prompt,
/// negative prompt, tags or folder name; combined with the filters; never another user's images.
/// </summary>
public sealed class SearchTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private static readonly DateTime Trashed = SearchCorpus.Start.AddDays(20);

    /// <summary>The corpus by number (1-based in the expectations below).</summary>
    private static readonly CorpusImage[] Corpus =
    [
        new("붉은여우가 숲을 달린다", Tags: ["동물"]),                                           // 1
        new("a red fox in the snow", Tags: ["Winter"], Model: "sdxl-1.0", Starred: true),       // 2
        new("고양이와 여우", Folder: "동물 사진"),                                                // 3
        new("neon fox city 여우 at night", Tags: ["cyberpunk"]),                                // 4
        new("a sleepy cat on a sofa", Negative: "blurry", Folder: "Fox Den"),                   // 5
        new("붉은 노을과 바다"),                                                                  // 6
        new("여름 바다 풍경", Starred: true),                                                     // 7
        new("FOXGLOVE flowers"),                                                                // 8
        new("100% cotton_candy"),                                                               // 9
        new("a trashed fox 여우", DeletedAt: Trashed),                                           // 10
    ];

    private readonly PingvasServer server = fixture.Server;

    [Theory]
    [InlineData("여우", new[] { 1, 3, 4 })]                  // 2 syllables inside longer words
    [InlineData("붉은", new[] { 1, 6 })]
    [InlineData("붉은여우", new[] { 1 })]                     // 3+ syllables
    [InlineData("여우가", new[] { 1 })]
    [InlineData("fox", new[] { 2, 4, 5, 8 })]                // English, inside "foxglove", and a folder name
    [InlineData("ＦＯＸ", new[] { 2, 4, 5, 8 })]              // full-width folds to ASCII
    [InlineData("FoX", new[] { 2, 4, 5, 8 })]
    [InlineData("x", new[] { 2, 4, 5, 8 })]                  // one character
    [InlineData("red fox", new[] { 2 })]                     // every term must match
    [InlineData("fox 여우", new[] { 4 })]                     // mixed Korean and English
    [InlineData("여우 고양이", new[] { 3 })]
    [InlineData("동물", new[] { 1, 3 })]                      // a tag, and a folder name
    [InlineData("사진", new[] { 3 })]                         // only in the folder name
    [InlineData("fox den sleepy", new[] { 5 })]              // folder name terms and prompt terms together
    [InlineData("blurry", new[] { 5 })]                      // the negative prompt
    [InlineData("winter", new[] { 2 })]                      // a tag, normalised
    [InlineData("바다", new[] { 6, 7 })]
    [InlineData("%", new[] { 9 })]                           // LIKE wildcards are literal
    [InlineData("n_c", new[] { 9 })]
    [InlineData("n%c", new int[0])]
    [InlineData("\"fox\"", new int[0])]                      // quotes are text, not FTS5 syntax
    [InlineData("zebra", new int[0])]
    [InlineData("여우 zebra", new int[0])]
    [InlineData("  ", new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 })]  // no terms: everything
    public async Task A_query_finds_exactly_the_images_whose_text_or_folder_holds_every_term(string q, int[] expected)
    {
        var (user, ids, _) = await ArrangeAsync();
        var found = await IdsAsync(user, $"/api/v1/images?q={Uri.EscapeDataString(q)}");
        Assert.Equal(Expected(ids, expected), found);
    }

    [Fact]
    public async Task Filters_combine_with_the_query_and_with_each_other()
    {
        var (user, ids, folders) = await ArrangeAsync();
        Assert.Equal(Expected(ids, 2), await IdsAsync(user, "/api/v1/images?tag=WINTER"));
        Assert.Equal(Expected(ids, 1, 2, 4, 6, 7, 8, 9), await IdsAsync(user, "/api/v1/images?folder=root"));
        Assert.Equal(Expected(ids, 3), await IdsAsync(user, $"/api/v1/images?folder={folders["동물 사진"]}"));
        Assert.Equal(Expected(ids, 5), await IdsAsync(user, $"/api/v1/images?folder={folders["Fox Den"]}&q=cat"));
        Assert.Equal(Expected(ids, 2), await IdsAsync(user, "/api/v1/images?model=sdxl-1.0"));
        Assert.Equal(Expected(ids, 2, 7), await IdsAsync(user, "/api/v1/images?starred=true"));
        Assert.Equal(Expected(ids, 1, 3, 4), await IdsAsync(user, "/api/v1/images?q=여우&starred=false"));
        Assert.Equal(Expected(ids, 4), await IdsAsync(user, "/api/v1/images?q=fox&tag=cyberpunk"));
        Assert.Equal(Expected(ids, 4), await IdsAsync(user, "/api/v1/images?q=여우&folder=root&model=sd-1.5&tag=cyberpunk"));

        // from is inclusive, to exclusive: image n was made at Start + (n - 1) hours.
        var from = Uri.EscapeDataString(SearchCorpus.Start.AddHours(2).ToString("O"));
        var to = Uri.EscapeDataString(SearchCorpus.Start.AddHours(5).ToString("O"));
        Assert.Equal(Expected(ids, 3, 4, 5), await IdsAsync(user, $"/api/v1/images?from={from}&to={to}"));
        Assert.Equal(Expected(ids, 3, 4), await IdsAsync(user, $"/api/v1/images?from={from}&to={to}&q=여우"));
        Assert.Equal(Expected(ids, 1, 2), await IdsAsync(user, "/api/v1/images?to=2026-03-01T03:00:00%2B01:00"));
    }

    [Fact]
    public async Task The_trash_lists_only_trashed_images_newest_trashed_first_and_search_never_shows_them()
    {
        var user = await server.RegisterAsync();
        var (ids, _) = await SearchCorpus.InsertAsync(server, user.Id,
        [
            new("fox one", DeletedAt: Trashed.AddHours(1)),
            new("fox two", DeletedAt: Trashed.AddHours(3)),
            new("fox three"),
            new("cat four", DeletedAt: Trashed.AddHours(2)),
            new("fox five", DeletedAt: Trashed.AddHours(3)),
        ]);

        // Same trashing time: the higher id first.
        Assert.Equal([ids[4], ids[1], ids[3], ids[0]], await IdsAsync(user, "/api/v1/images?trash=true", limit: 1));
        Assert.Equal([ids[4], ids[1], ids[0]], await IdsAsync(user, "/api/v1/images?trash=true&q=fox&sort=oldest", limit: 2));
        Assert.Equal([ids[2]], await IdsAsync(user, "/api/v1/images?q=fox"));
        Assert.Equal([ids[2]], await IdsAsync(user, "/api/v1/images?trash=false"));

        var page = (await user.Client.GetFromJsonAsync<PageBody<SearchImageBody>>("/api/v1/images?trash=true&limit=1", Json.Options))!;
        Assert.Equal(Trashed.AddHours(3), page.Items.Single().DeletedAt);
    }

    [Fact]
    public async Task Another_users_images_and_folders_never_answer()
    {
        var (user, ids, _) = await ArrangeAsync();
        var other = await server.RegisterAsync();
        var (theirs, theirFolders) = await SearchCorpus.InsertAsync(server, other.Id,
            [new("붉은여우가 숲을 달린다 fox", Tags: ["winter"], Folder: "동물 사진", Starred: true)]);

        Assert.Equal(Expected(ids, 1, 3, 4), await IdsAsync(user, "/api/v1/images?q=여우"));
        Assert.Equal(Expected(ids, 2), await IdsAsync(user, "/api/v1/images?tag=winter"));
        Assert.Equal(Expected(ids, 2, 7), await IdsAsync(user, "/api/v1/images?starred=true"));
        Assert.Equal(theirs, await IdsAsync(other, "/api/v1/images?q=fox 여우&tag=winter"));

        await AssertProblemAsync(await user.Client.GetAsync($"/api/v1/images?folder={theirFolders["동물 사진"]}"), HttpStatusCode.NotFound, "folder_not_found");
        await AssertProblemAsync(await user.Client.GetAsync($"/api/v1/images?folder={Guid.NewGuid()}"), HttpStatusCode.NotFound, "folder_not_found");
    }

    [Theory]
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("cursor=bjo1OjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw", "cursor")] // "n:5:00…": the newest sort has no key
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("sort=popular", "sort")]
    [InlineData("starred=yes", "starred")]
    [InlineData("trash=maybe", "trash")]
    [InlineData("folder=inbox", "folder")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-13-01T00:00:00Z", "to")]
    [InlineData("from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z", "to")]
    [InlineData("q=a b c d e f g h i", "q")]
    [InlineData("tag=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "tag")]
    public async Task Bad_parameters_are_a_validation_problem_naming_the_field(string query, string field)
    {
        var user = await server.RegisterAsync();
        var problem = await AssertProblemAsync(await user.Client.GetAsync($"/api/v1/images?{query}"), HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem["errors"]!.AsObject().ContainsKey(field), problem.ToJsonString());
    }

    [Fact]
    public async Task A_cursor_of_one_sort_is_refused_by_another()
    {
        var (user, _, _) = await ArrangeAsync();
        var first = (await user.Client.GetFromJsonAsync<PageBody<SearchImageBody>>("/api/v1/images?limit=2", Json.Options))!;
        Assert.NotNull(first.NextCursor);
        foreach (var other in new[] { "sort=oldest", "sort=most_used", "trash=true" })
        {
            var response = await user.Client.GetAsync($"/api/v1/images?limit=2&{other}&cursor={first.NextCursor}");
            var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
            Assert.True(problem["errors"]!.AsObject().ContainsKey("cursor"));
        }
    }

    /// <summary>A fresh user with the corpus, its image ids in corpus order and its folders.</summary>
    private async Task<(TestUser User, List<Guid> Ids, Dictionary<string, Guid> Folders)> ArrangeAsync()
    {
        var user = await server.RegisterAsync();
        var (ids, folders) = await SearchCorpus.InsertAsync(server, user.Id, Corpus);
        return (user, ids, folders);
    }

    /// <summary>Corpus numbers to ids, newest first (the default sort).</summary>
    private static List<Guid> Expected(List<Guid> ids, params int[] numbers) =>
        [.. numbers.OrderDescending().Select(n => ids[n - 1])];

    private static async Task<List<Guid>> IdsAsync(TestUser user, string path, int limit = 3) =>
        [.. (await AllAsync<SearchImageBody>(user.Client, path, limit)).Select(i => i.Id)];
}
