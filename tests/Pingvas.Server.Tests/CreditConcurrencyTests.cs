using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>Credit invariants under concurrency and replays: never negative, never reserved or charged twice.</summary>
public sealed class CreditConcurrencyTests(CreditConcurrencyTests.Fixture fixture) : IClassFixture<CreditConcurrencyTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;

    public sealed class Fixture() : ServerFixture(new TestSettings { WorkerConcurrency = 2 });

    [Fact]
    public async Task Concurrent_submits_at_the_edge_of_the_balance_never_overdraw_or_double_charge()
    {
        var user = await server.RegisterAsync();

        // sd-1.5 at 1024² × 20 steps is estimated at 9 credits: 100 credits hold exactly 11 of them.
        var request = TestUser.Request(width: 1024, height: 1024, steps: 20);
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => user.Client.PostAsJsonAsync("/api/v1/generations", request)));

        var accepted = responses.Where(r => r.StatusCode == HttpStatusCode.Accepted).ToList();
        Assert.Equal(11, accepted.Count);
        Assert.All(responses.Except(accepted), r => Assert.Equal(HttpStatusCode.PaymentRequired, r.StatusCode));
        var me = await user.MeAsync();
        Assert.InRange(me.Credits.Balance, 0, 100);

        var ids = new List<Guid>();
        foreach (var response in accepted)
        {
            ids.Add((await response.Content.ReadFromJsonAsync<GenerationBody>(Json.Options))!.Id);
        }

        var finished = new List<GenerationBody>();
        foreach (var id in ids)
        {
            finished.Add(await user.WaitForAsync(id));
        }

        Assert.All(finished, j => Assert.Equal("succeeded", j.Status));
        var ledger = await user.LedgerAsync();
        foreach (var job in finished)
        {
            Assert.Single(ledger, e => e.Kind == "reserve" && e.JobId == job.Id);
            Assert.Equal(-job.CreditsCharged, Assert.Single(ledger, e => e.Kind == "charge" && e.JobId == job.Id).Amount);
        }

        me = await user.MeAsync();
        Assert.Equal(0, me.Credits.Reserved);
        Assert.Equal(100 - finished.Sum(j => j.CreditsCharged), me.Credits.Balance);
        Assert.Equal(me.Credits.Balance, ledger.Sum(e => e.Amount));
        Assert.All(ledger, e => Assert.True(e.BalanceAfter >= 0));

        // The lots agree with the ledger, and every hold is settled.
        var (lotSum, openHolds) = await server.QueryAsync(async db => (
            await db.Lots.Where(l => l.UserId == user.Id).SumAsync(l => l.Remaining),
            await db.LotHolds.CountAsync(h => h.UserId == user.Id && !h.Settled)));
        Assert.Equal(me.Credits.Balance, lotSum);
        Assert.Equal(0, openHolds);
    }

    [Fact]
    public async Task A_replayed_idempotency_key_returns_the_first_job_and_reserves_once()
    {
        var user = await server.RegisterAsync();
        var key = Guid.NewGuid().ToString();
        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
        {
            var message = new HttpRequestMessage(HttpMethod.Post, "/api/v1/generations") { Content = JsonContent.Create(TestUser.Request()) };
            message.Headers.Add("Idempotency-Key", key);
            return user.Client.SendAsync(message);
        }));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        var ids = new HashSet<Guid>();
        foreach (var response in responses)
        {
            ids.Add((await response.Content.ReadFromJsonAsync<GenerationBody>(Json.Options))!.Id);
        }

        var id = Assert.Single(ids);
        await user.WaitForAsync(id);
        var ledger = await user.LedgerAsync();
        Assert.Single(ledger, e => e.Kind == "reserve");
        Assert.Single(ledger, e => e.Kind == "charge");
        var list = await user.Client.GetFromJsonAsync<PageBody<GenerationBody>>("/api/v1/generations", Json.Options);
        Assert.Single(list!.Items);
    }

    [Fact]
    public async Task Enterprise_is_not_charged_but_its_usage_is_recorded()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "enterprise");
        var submitted = await user.SubmitAsync(TestUser.Request(width: 2048, height: 2048, steps: 10));
        Assert.Equal(0, submitted.ReservedCredits);
        var done = await user.WaitForAsync(submitted.Id);
        Assert.Equal("succeeded", done.Status);
        Assert.True(done.CreditsCharged >= 1);

        var me = await user.MeAsync();
        Assert.True(me.Credits.Unlimited);
        Assert.Equal(100, me.Credits.Balance);
        var usage = Assert.Single(await user.LedgerAsync(), e => e.Kind == "charge");
        Assert.Equal(0, usage.Amount);
        Assert.Contains($"{done.CreditsCharged} credits", usage.Reason);
    }
}
