using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Relay.Fakes;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Relay;

/// <summary>
/// nano-banana end to end through our API, relayed to a local Gemini server: plan gating, the flat
/// 20 credits per image, images in the gallery, the provider cost recorded per job (admin data only),
/// and a content refusal that fails the job with a full refund.
/// </summary>
public sealed class RelayApiTests : IAsyncLifetime
{
    private FakeProviderServer gemini = null!;
    private PingvasServer server = null!;

    public async Task InitializeAsync()
    {
        gemini = await FakeProviderServer.StartAsync();
        server = await PingvasServer.StartAsync(new TestSettings().With(new Dictionary<string, string>
        {
            ["Engines:Relay:Gemini:ApiKey"] = gemini.ApiKey,
            ["Engines:Relay:Gemini:BaseUrl"] = gemini.BaseUrl.ToString(),
            ["Engines:Relay:Gemini:RequestsPerMinute"] = "6000",
            ["Engines:Relay:Gemini:Burst"] = "10",
            ["Engines:Relay:Gemini:RetryBaseDelayMs"] = "20",
        }));
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await gemini.DisposeAsync();
    }

    [Fact]
    public async Task A_pro_user_gets_nano_banana_images_charged_20_credits_each_with_the_provider_cost_recorded()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "pro");
        var before = (await user.MeAsync()).Credits.Balance;

        var submitted = await user.SubmitAsync(TestUser.Request(model: "nano-banana", width: 1024, height: 1024, steps: 1, batchSize: 2));
        Assert.Equal(40, submitted.ReservedCredits);
        var done = await user.WaitForAsync(submitted.Id);

        Assert.Equal("succeeded", done.Status);
        Assert.Equal("gemini", done.Engine);
        Assert.Equal(40, done.CreditsCharged);
        Assert.Equal(2, done.Images.Count);
        Assert.Equal(before - 40, (await user.MeAsync()).Credits.Balance);
        Assert.Empty(gemini.Violations);
        Assert.Equal(2, gemini.GenerateCalls);

        var gallery = (await user.Client.GetFromJsonAsync<PageBody<ImageBody>>("/api/v1/images", Json.Options))!;
        Assert.Equal(2, gallery.Items.Count(i => i.GenerationId == done.Id));
        Assert.All(gallery.Items, i => Assert.Equal(("gemini", "nano-banana"), (i.Metadata["engine"], i.Model)));

        var cost = await server.QueryAsync(db => db.Jobs.Where(j => j.Id == done.Id).Select(j => j.ProviderCostUsd).SingleAsync());
        Assert.Equal(2 * 0.038703m, cost);
        var raw = await user.Client.GetStringAsync($"/api/v1/generations/{done.Id}");
        Assert.DoesNotContain("providerCost", raw, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_free_user_may_not_use_nano_banana()
    {
        var user = await server.RegisterAsync();

        var response = await user.Client.PostAsJsonAsync("/api/v1/generations", TestUser.Request(model: "nano-banana", width: 1024, height: 1024, steps: 1));

        await ProblemAssert.ReadAsync(response, HttpStatusCode.Forbidden, "plan_forbids_model");
        Assert.Equal(0, gemini.GenerateCalls);
    }

    [Fact]
    public async Task A_refused_prompt_fails_as_content_refused_and_refunds_everything()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "pro");
        var before = (await user.MeAsync()).Credits.Balance;
        gemini.Script.Enqueue(Scripted.Refuse);

        var submitted = await user.SubmitAsync(TestUser.Request(model: "nano-banana", width: 1024, height: 1024, steps: 1));
        var done = await user.WaitForAsync(submitted.Id);

        Assert.Equal("failed", done.Status);
        Assert.Equal("content_refused", done.Error!.Code);
        Assert.Equal(0, done.CreditsCharged ?? 0);
        var me = await user.MeAsync();
        Assert.Equal((before, 0), (me.Credits.Balance, me.Credits.Reserved));
        Assert.Equal(1, gemini.GenerateCalls);
    }

    [Fact]
    public async Task A_relay_model_without_an_api_key_is_unavailable()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "pro");

        var response = await user.Client.PostAsJsonAsync("/api/v1/generations", TestUser.Request(model: "stability-sd3", width: 1024, height: 1024, steps: 1));

        await ProblemAssert.ReadAsync(response, (HttpStatusCode)422, "model_unavailable");
    }
}
