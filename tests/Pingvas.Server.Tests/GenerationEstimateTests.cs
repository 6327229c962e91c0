using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.Tests.Uploads;

namespace Pingvas.Server.Tests;

/// <summary>
/// POST /generations/estimate (issue 9, the Generate button's price): the submit's body, checks and
/// price, answered 200 with <c>{credits, allowed, problem}</c>; nothing is queued, held or written.
/// </summary>
public sealed class GenerationEstimateTests(GenerationEstimateTests.Fixture fixture) : IClassFixture<GenerationEstimateTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;

    /// <summary>Steps take a moment, so a job submitted to hold credits is still holding them when the estimate runs.</summary>
    public sealed class Fixture() : ServerFixture(new TestSettings { StepDelayMs = 50 });

    public sealed record EstimateBody(int? Credits, bool Allowed, JsonElement? Problem);

    [Fact]
    public async Task An_estimate_has_the_price_the_submit_reserves_and_writes_nothing()
    {
        var user = await server.RegisterAsync();
        var request = TestUser.Request(width: 512, height: 512, steps: 20);
        var before = await StateAsync(user);

        var estimate = await EstimateAsync(user, request);

        Assert.True(estimate.Allowed);
        Assert.Null(estimate.Problem);
        Assert.True(estimate.Credits > 0);
        Assert.Equal(before, await StateAsync(user));

        var job = await user.SubmitAsync(request);
        Assert.Equal(estimate.Credits, job.ReservedCredits);
        await user.Client.PostAsync($"/api/v1/generations/{job.Id}/cancel", null);
        await server.WaitUntilIdleAsync();
    }

    [Theory]
    [InlineData("""{"prompt":"x","model":"sd-1.5","steps":500}""", 400, "validation_failed")]
    [InlineData("""{"prompt":"x","model":"flux-dev"}""", 403, "plan_forbids_model")]
    [InlineData("""{"prompt":"x","model":"sd-1.5","width":2048,"height":2048}""", 403, "plan_limit")]
    [InlineData("""{"prompt":"x","model":"sd-1.5","imageId":"0194b4b0-0000-7000-8000-000000000001","scale":2}""", 403, "plan_forbids_feature")]
    public async Task A_request_the_submit_refuses_is_priced_as_not_allowed_with_the_submits_problem(string body, int status, string code)
    {
        var user = await server.RegisterAsync();
        var before = await StateAsync(user);

        var estimate = await EstimateAsync(user, ProblemAssert.Raw(body));
        var submit = await user.Client.PostAsync("/api/v1/generations", ProblemAssert.Raw(body));

        Assert.False(estimate.Allowed);
        var problem = estimate.Problem!.Value;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        await ProblemAssert.ReadAsync(submit, (HttpStatusCode)status, code);
        Assert.Equal(before, await StateAsync(user));
    }

    [Fact]
    public async Task A_field_error_names_the_field_like_the_submit_does()
    {
        var user = await server.RegisterAsync();
        var estimate = await EstimateAsync(user, TestUser.Request(steps: 0));
        var errors = estimate.Problem!.Value.GetProperty("errors");
        Assert.Equal(["steps"], errors.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Another_users_upload_is_an_unknown_input_and_the_owner_gets_a_price()
    {
        var alice = await server.RegisterAsync();
        var bob = await server.RegisterAsync();
        var upload = await alice.UploadAsync(UploadKit.Png(64, 64));
        var request = new { prompt = "x", model = "sd-1.5", initImageId = upload.Id, strength = 0.5, steps = 10 };
        var bobBefore = await StateAsync(bob);

        var bobs = await EstimateAsync(bob, request);
        var alices = await EstimateAsync(alice, request);

        Assert.False(bobs.Allowed);
        Assert.Null(bobs.Credits);
        Assert.Equal("invalid_image_reference", bobs.Problem!.Value.GetProperty("code").GetString());
        Assert.Equal("initImageId", bobs.Problem!.Value.GetProperty("field").GetString());
        Assert.Equal(bobBefore, await StateAsync(bob));
        Assert.True(alices.Allowed, alices.Problem?.ToString());
        Assert.True(alices.Credits > 0);
    }

    [Fact]
    public async Task Over_the_spendable_balance_it_is_not_allowed_with_what_is_needed_and_what_is_left()
    {
        var user = await server.RegisterAsync();
        var big = TestUser.Request(width: 1024, height: 1024, steps: 150, seed: 1);
        var held = await user.SubmitAsync(big);
        try
        {
            var balance = (await user.MeAsync()).Credits.Balance;
            var estimate = await EstimateAsync(user, big);

            Assert.True(held.ReservedCredits > balance, $"the test needs a job that costs more than half the Free credits ({held.ReservedCredits})");
            Assert.False(estimate.Allowed);
            Assert.Equal(held.ReservedCredits, estimate.Credits);
            var problem = estimate.Problem!.Value;
            Assert.Equal(402, problem.GetProperty("status").GetInt32());
            Assert.Equal("insufficient_credits", problem.GetProperty("code").GetString());
            Assert.Equal(held.ReservedCredits, problem.GetProperty("needed").GetInt32());
            Assert.Equal(balance, problem.GetProperty("balance").GetInt32());
        }
        finally
        {
            await user.Client.PostAsync($"/api/v1/generations/{held.Id}/cancel", null);
            await server.WaitUntilIdleAsync();
        }
    }

    [Fact]
    public async Task An_anonymous_caller_gets_401()
    {
        using var anonymous = server.CreateClient();
        var response = await anonymous.PostAsJsonAsync("/api/v1/generations/estimate", TestUser.Request());
        await ProblemAssert.ReadAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    private static async Task<EstimateBody> EstimateAsync(TestUser user, object request)
    {
        var response = request is HttpContent content
            ? await user.Client.PostAsync("/api/v1/generations/estimate", content)
            : await user.Client.PostAsJsonAsync("/api/v1/generations/estimate", request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<EstimateBody>(Json.Options))!;
    }

    /// <summary>What an estimate must leave alone: the user's jobs, holds, ledger and balance.</summary>
    private async Task<(int Jobs, int Holds, int Ledger, int Balance, int Reserved)> StateAsync(TestUser user)
    {
        var jobs = await server.QueryAsync(db => db.Jobs.CountAsync(j => j.UserId == user.Id));
        var holds = await server.QueryAsync(db => db.LotHolds.CountAsync(h => h.UserId == user.Id));
        var ledger = await server.QueryAsync(db => db.Ledger.CountAsync(e => e.UserId == user.Id));
        var me = await user.MeAsync();
        return (jobs, holds, ledger, me.Credits.Balance, me.Credits.Reserved);
    }
}
