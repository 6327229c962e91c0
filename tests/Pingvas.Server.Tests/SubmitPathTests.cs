using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// What the lean submit path still guarantees: the account check that also keys the request's
/// connection, the position placed in a queue snapshot, and the in-memory catalogue.
/// </summary>
public sealed class SubmitPathTests(SubmitPathTests.Fixture fixture) : IClassFixture<SubmitPathTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;

    public sealed class Fixture() : ServerFixture(new TestSettings { StepDelayMs = 40, WorkerConcurrency = 1 });

    [Fact]
    public async Task A_token_of_a_removed_account_stops_working_at_once()
    {
        var user = await server.RegisterAsync();
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync("/api/v1/me")).StatusCode);

        Assert.Equal(1, await server.QueryAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteDeleteAsync()));

        // The access token is still well signed and unexpired; the account behind it is gone.
        await ProblemAssert.ReadAsync(await user.Client.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthorized");
        await ProblemAssert.ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/generations", TestUser.Request()), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task The_position_a_submit_reports_is_where_the_queue_puts_the_job()
    {
        var blocker = await server.RegisterAsync();
        var studio = await server.RegisterAsync();
        var free = await server.RegisterAsync();
        var pro = await server.RegisterAsync();
        await server.SetPlanAsync(studio.Id, "studio");
        await server.SetPlanAsync(pro.Id, "pro");

        // Hold the only worker, then queue two Studio jobs (priority 8) and two Free ones (2).
        var running = await blocker.SubmitAsync(TestUser.Request(steps: 150));
        await blocker.WaitForAsync(running.Id, "running");
        await studio.SubmitAsync(TestUser.Request(steps: 1));
        await studio.SubmitAsync(TestUser.Request(steps: 1));
        await free.SubmitAsync(TestUser.Request(steps: 1));
        await free.SubmitAsync(TestUser.Request(steps: 1));

        // Submit Free jobs until one is placed behind those four: the snapshot went stale (it is
        // reloaded at most every QueueSnapshot.MaxAge), a submit refreshed it in the background and
        // that refresh finished. Free jobs sort behind the Pro job below, so they do not change its place.
        await Eventually.UntilAsync(async () => (await free.SubmitAsync(TestUser.Request(steps: 1))).QueuePosition >= 5,
            TimeSpan.FromSeconds(10), "No submit saw a refreshed queue snapshot.", interval: TimeSpan.FromMilliseconds(200));

        var submitted = await pro.SubmitAsync(TestUser.Request(steps: 1));
        Assert.Equal(3, submitted.QueuePosition);
        Assert.Equal(3, (await pro.GetAsync(submitted.Id)).QueuePosition);

        await blocker.Client.PostAsync($"/api/v1/generations/{running.Id}/cancel", null);
        await server.WaitUntilIdleAsync();
    }

    [Fact]
    public async Task A_plan_added_after_the_catalogue_was_cached_is_used_at_once()
    {
        var user = await server.RegisterAsync();
        var first = await user.SubmitAsync(TestUser.Request(steps: 1));
        await user.WaitForAsync(first.Id);

        // A new plan, written straight to the database as an operator would, after the cache loaded.
        await server.QueryAsync(async db =>
        {
            var plan = await db.Plans.AsNoTracking().SingleAsync(p => p.Id == "pro");
            plan.Id = "team";
            plan.Name = "Team";
            plan.Rank += 10;
            plan.QueuePriority = 7;
            db.Plans.Add(plan);
            return await db.SaveChangesAsync();
        });
        await server.SetPlanAsync(user.Id, "team");

        var submitted = await user.SubmitAsync(TestUser.Request(steps: 1));
        Assert.Equal(7, await server.QueryAsync(db => db.Jobs.Where(j => j.Id == submitted.Id).Select(j => j.Priority).SingleAsync()));
        Assert.Equal("succeeded", (await user.WaitForAsync(submitted.Id)).Status);
    }

    [Fact]
    public async Task An_idempotency_key_replayed_with_another_body_is_refused_and_with_the_same_body_answers_the_original()
    {
        var user = await server.RegisterAsync();
        var key = $"key-{Guid.NewGuid():N}";
        var first = await SubmitWithKeyAsync(user, key, TestUser.Request(steps: 2, seed: 5));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var original = (await first.Content.ReadFromJsonAsync<GenerationBody>(Json.Options))!;

        // The same body, even written differently, is the same request: the original job again.
        var again = await user.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/generations")
        {
            Headers = { { "Idempotency-Key", key } },
            Content = ProblemAssert.Raw("""{ "seed": 5, "batchSize": 1, "steps": 2, "height": 64, "width": 64, "model": "sd-1.5", "prompt": "a lighthouse at dusk" }"""),
        });
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(original.Id, (await again.Content.ReadFromJsonAsync<GenerationBody>(Json.Options))!.Id);

        var other = await SubmitWithKeyAsync(user, key, TestUser.Request(steps: 3, seed: 5));
        var problem = await ProblemAssert.ReadAsync(other, HttpStatusCode.Conflict, "idempotency_key_reused");
        Assert.Contains("different request", problem.Detail);

        await user.WaitForAsync(original.Id);
        var ledger = await user.LedgerAsync();
        Assert.Single(ledger, e => e.Kind == "reserve");
        Assert.Single(await ApiChecks.AllAsync<GenerationBody>(user.Client, "/api/v1/generations"));
    }

    private static Task<HttpResponseMessage> SubmitWithKeyAsync(TestUser user, string key, object request) =>
        user.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/generations")
        {
            Headers = { { "Idempotency-Key", key } },
            Content = JsonContent.Create(request),
        });
}
