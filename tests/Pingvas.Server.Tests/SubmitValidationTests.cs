using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// POST /generations limits (issue item 10): malformed input is 400 validation_failed with field
/// errors, what the plan does not include is 403; neither queues a job nor holds a credit.
/// </summary>
public sealed class SubmitValidationTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task A_prompt_of_2001_characters_is_refused_and_2000_are_accepted()
    {
        var user = await server.RegisterAsync();
        var problem = await ProblemAssert.ValidationAsync(await SubmitAsync(user, TestUser.Request(prompt: new string('p', 2001))), "prompt");
        Assert.Contains("2000", problem.Errors!["prompt"][0].Replace(",", ""));

        var accepted = await user.SubmitAsync(TestUser.Request(prompt: new string('p', 2000)));
        Assert.Equal(2000, accepted.Prompt.Length);
        await user.Client.PostAsync($"/api/v1/generations/{accepted.Id}/cancel", null);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task A_blank_prompt_is_refused(string prompt)
    {
        var user = await server.RegisterAsync();
        await ProblemAssert.ValidationAsync(await SubmitAsync(user, TestUser.Request(prompt: prompt)), "prompt");
    }

    [Theory]
    [InlineData(100, 64, "width")]
    [InlineData(64, 100, "height")]
    [InlineData(60, 64, "width")]
    [InlineData(0, 64, "width")]
    [InlineData(-64, 64, "width")]
    public async Task A_side_that_is_not_a_multiple_of_8_of_at_least_64_is_refused(int width, int height, string field)
    {
        var user = await server.RegisterAsync();
        await ProblemAssert.ValidationAsync(await SubmitAsync(user, TestUser.Request(width: width, height: height)), field);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(151)]
    [InlineData(-1)]
    public async Task Steps_outside_1_to_150_are_refused(int steps)
    {
        var user = await server.RegisterAsync();
        await ProblemAssert.ValidationAsync(await SubmitAsync(user, TestUser.Request(steps: steps)), "steps");
    }

    [Fact]
    public async Task The_edges_1_and_150_steps_are_accepted()
    {
        var user = await server.RegisterAsync();
        foreach (var steps in new[] { 1, 150 })
        {
            var job = await user.SubmitAsync(TestUser.Request(steps: steps));
            Assert.Equal(steps, job.Steps);
            await user.Client.PostAsync($"/api/v1/generations/{job.Id}/cancel", null);
        }
    }

    [Theory]
    [InlineData("no-such-model")]
    [InlineData("")]
    [InlineData("SD-1.5")]
    public async Task An_unknown_model_is_a_validation_error_on_model(string model)
    {
        var user = await server.RegisterAsync();
        await ProblemAssert.ValidationAsync(await SubmitAsync(user, TestUser.Request(model: model)), "model");
    }

    [Fact]
    public async Task Several_bad_fields_are_all_reported_at_once()
    {
        var user = await server.RegisterAsync();
        var request = new { prompt = "", model = "nope", width = 65, height = 30, steps = 0, cfgScale = 99.0, scheduler = "warp", batchSize = 0, seed = 1 };
        await ProblemAssert.ValidationAsync(await SubmitAsync(user, request), "prompt", "model", "width", "height", "steps", "cfgScale", "scheduler", "batchSize");
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(4294967296L)]
    public async Task A_seed_outside_the_unsigned_32_bit_range_is_refused(long seed)
    {
        var user = await server.RegisterAsync();
        await ProblemAssert.ValidationAsync(await SubmitAsync(user, TestUser.Request(seed: seed)), "seed");
    }

    [Theory]
    [InlineData("sdxl-1.0")]
    [InlineData("flux-schnell")]
    [InlineData("flux-dev")]
    [InlineData("nano-banana")]
    public async Task A_free_user_asking_for_a_higher_plan_model_gets_403_plan_forbids_model(string model)
    {
        var user = await server.RegisterAsync();
        var problem = await ProblemAssert.ReadAsync(await SubmitAsync(user, TestUser.Request(model: model)), HttpStatusCode.Forbidden, "plan_forbids_model");
        Assert.Contains(model, problem.Detail);
    }

    [Fact]
    public async Task Malformed_input_outranks_a_plan_limit()
    {
        var user = await server.RegisterAsync();
        await ProblemAssert.ValidationAsync(await SubmitAsync(user, TestUser.Request(model: "sdxl-1.0", width: 100)), "width");
    }

    [Theory]
    [InlineData(1536, 1024)]
    [InlineData(1024, 1032)]
    public async Task A_free_user_beyond_1024_px_gets_403_plan_limit(int width, int height)
    {
        var user = await server.RegisterAsync();
        var problem = await ProblemAssert.ReadAsync(await SubmitAsync(user, TestUser.Request(width: width, height: height)), HttpStatusCode.Forbidden, "plan_limit");
        Assert.Contains("1024", problem.Detail);
    }

    [Fact]
    public async Task A_free_user_at_exactly_1024_px_is_accepted()
    {
        var user = await server.RegisterAsync();
        var job = await user.SubmitAsync(TestUser.Request(width: 1024, height: 1024, steps: 1));
        Assert.Equal((1024, 1024), (job.Width, job.Height));
        await user.Client.PostAsync($"/api/v1/generations/{job.Id}/cancel", null);
    }

    [Fact]
    public async Task A_free_user_asking_for_a_batch_of_2_gets_403_plan_limit()
    {
        var user = await server.RegisterAsync();
        var problem = await ProblemAssert.ReadAsync(await SubmitAsync(user, TestUser.Request(batchSize: 2)), HttpStatusCode.Forbidden, "plan_limit");
        Assert.Contains("batch", problem.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Refused_submissions_queue_nothing_and_hold_no_credits()
    {
        var user = await server.RegisterAsync();
        object[] refused =
        [
            TestUser.Request(prompt: new string('p', 2001)),
            TestUser.Request(width: 100),
            TestUser.Request(steps: 151),
            TestUser.Request(model: "sdxl-1.0"),
            TestUser.Request(width: 1536, height: 1024),
            TestUser.Request(batchSize: 2),
            TestUser.Request(model: "no-such-model"),
        ];
        foreach (var request in refused)
        {
            var response = await SubmitAsync(user, request);
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden, await response.Content.ReadAsStringAsync());
        }

        var jobs = await user.Client.GetFromJsonAsync<PageBody<GenerationBody>>("/api/v1/generations", Json.Options);
        Assert.Empty(jobs!.Items);
        var me = await user.MeAsync();
        Assert.Equal((100, 0), (me.Credits.Balance, me.Credits.Reserved));
        Assert.DoesNotContain(await user.LedgerAsync(), e => e.Kind == "reserve");
    }

    [Fact]
    public async Task Submitting_needs_a_signed_in_user()
    {
        using var anonymous = server.CreateClient();
        var response = await anonymous.PostAsJsonAsync("/api/v1/generations", TestUser.Request());
        await ProblemAssert.ReadAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    private static Task<HttpResponseMessage> SubmitAsync(TestUser user, object request) =>
        user.Client.PostAsJsonAsync("/api/v1/generations", request);
}
