using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests;

/// <summary>The generations list and the ledger: status filter, and cursor paging that neither skips nor repeats.</summary>
public sealed class PagingTests(PagingTests.Fixture fixture) : IClassFixture<PagingTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;

    // 100 ms per step: a 1-step job is quick, a 60-step one keeps running long enough to list it.
    public sealed class Fixture() : ServerFixture(new TestSettings { StepDelayMs = 100 });

    [Fact]
    public async Task Generations_filter_by_status_and_page_newest_first()
    {
        var user = await server.RegisterAsync();
        var succeeded = new List<Guid>();
        for (var seed = 1; seed <= 3; seed++)
        {
            succeeded.Add((await user.GenerateAsync(TestUser.Request(steps: 1, seed: seed))).Id);
        }

        var running = await user.SubmitAsync(TestUser.Request(steps: 60, seed: 10));
        await user.WaitForAsync(running.Id, "running");
        var cancelled = await user.SubmitAsync(TestUser.Request(steps: 1, seed: 11));
        Assert.Equal(HttpStatusCode.OK, (await user.Client.PostAsync($"/api/v1/generations/{cancelled.Id}/cancel", null)).StatusCode);
        var queued = await user.SubmitAsync(TestUser.Request(steps: 1, seed: 12));

        var expected = new Dictionary<string, Guid[]>
        {
            ["succeeded"] = [.. Enumerable.Reverse(succeeded)],
            ["running"] = [running.Id],
            ["cancelled"] = [cancelled.Id],
            ["queued"] = [queued.Id],
            ["failed"] = [],
        };
        foreach (var (status, ids) in expected)
        {
            var items = await AllAsync<GenerationBody>(user.Client, $"/api/v1/generations?status={status}", 1);
            Assert.Equal(ids, items.Select(j => j.Id));
            Assert.All(items, j => Assert.Equal(status, j.Status));
        }

        // Positions come from a queue snapshot at most a second old: the cancelled job leaves it within that.
        await Eventually.UntilAsync(
            async () => (await AllAsync<GenerationBody>(user.Client, "/api/v1/generations?status=queued")).Single().QueuePosition == 1,
            TimeSpan.FromSeconds(10), "the queued job's position to settle at 1");

        // Unfiltered, every page size walks all six jobs in the same newest-first order.
        Guid[] all = [queued.Id, cancelled.Id, running.Id, .. Enumerable.Reverse(succeeded)];
        foreach (var limit in new[] { 1, 2, 4, 6, 100 })
        {
            var pages = await PagesAsync<GenerationBody>(user.Client, "/api/v1/generations", limit);
            Assert.Equal(all, pages.SelectMany(p => p.Items).Select(j => j.Id));
            Assert.Equal((all.Length + limit - 1) / limit, pages.Count);
        }

        var firstPage = await user.Client.GetFromJsonAsync<PageBody<GenerationBody>>("/api/v1/generations?limit=2&status=succeeded", Json.Options);
        Assert.Equal([succeeded[2], succeeded[1]], firstPage!.Items.Select(j => j.Id));
        Assert.Equal(succeeded[1].ToString("N"), firstPage.NextCursor);

        await user.Client.PostAsync($"/api/v1/generations/{queued.Id}/cancel", null);
        await user.Client.PostAsync($"/api/v1/generations/{running.Id}/cancel", null);
        await user.WaitForAsync(running.Id);
    }

    [Theory]
    [InlineData("done")]
    [InlineData("1")]
    [InlineData("-1")]
    [InlineData("succeeded,failed")] // Enum.TryParse reads this as flags (Succeeded | Failed) and filters on a bogus value
    public async Task An_unknown_status_is_refused(string status)
    {
        var user = await server.RegisterAsync();
        var problem = await AssertProblemAsync(
            await user.Client.GetAsync($"/api/v1/generations?status={Uri.EscapeDataString(status)}"), HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem["errors"]!.AsObject().ContainsKey("status"), problem.ToJsonString());
    }

    [Fact]
    public async Task The_ledger_pages_without_gaps_or_repeats()
    {
        var user = await server.RegisterAsync();
        for (var seed = 1; seed <= 3; seed++)
        {
            await user.GenerateAsync(TestUser.Request(steps: 1, seed: seed));
        }

        var reference = await AllAsync<LedgerEntryBody>(user.Client, "/api/v1/credits/ledger", 100);
        Assert.True(reference.Count >= 7, $"grant + 3 × (reserve, charge, ...) expected, got {reference.Count}");
        Assert.Equal(reference.Count, reference.Select(e => e.Id).Distinct().Count());
        Assert.Equal(reference.OrderByDescending(e => e.Id).Select(e => e.Id), reference.Select(e => e.Id));
        Assert.Equal("grant", reference[^1].Kind);
        foreach (var limit in new[] { 1, 2, 3 })
        {
            var pages = await PagesAsync<LedgerEntryBody>(user.Client, "/api/v1/credits/ledger", limit);
            Assert.Equal(reference.Select(e => e.Id), pages.SelectMany(p => p.Items).Select(e => e.Id));
            Assert.All(pages.SkipLast(1), p => Assert.Equal(limit, p.Items.Count));
        }

        // Each entry's balanceAfter follows from the one before it.
        var oldestFirst = Enumerable.Reverse(reference).ToList();
        for (var i = 1; i < oldestFirst.Count; i++)
        {
            Assert.Equal(oldestFirst[i - 1].BalanceAfter + oldestFirst[i].Amount, oldestFirst[i].BalanceAfter);
        }
    }
}
