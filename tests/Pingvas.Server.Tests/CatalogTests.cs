using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>The plan and model catalog of PRODUCT.md §2 as clients read it.</summary>
public sealed class CatalogTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task Plans_are_public_and_match_the_product_catalog_in_order()
    {
        using var anonymous = server.CreateClient();
        var response = await anonymous.GetAsync("/api/v1/plans");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var plans = (await response.Content.ReadFromJsonAsync<List<CatalogPlan>>(Json.Options))!;

        Assert.Equal(["free", "starter", "pro", "studio", "enterprise"], plans.Select(p => p.Id));
        Assert.Equal(["Free", "Starter", "Pro", "Studio", "Enterprise"], plans.Select(p => p.Name));
        Assert.Equal([100, 5000, 15000, 30000, null], plans.Select(p => p.MonthlyCredits));
        Assert.Equal([false, false, false, false, true], plans.Select(p => p.UnlimitedCredits));
        Assert.Equal([2, 4, 6, 8, 10], plans.Select(p => p.QueuePriority));
        Assert.Equal([1, 1, 1, 3, null], plans.Select(p => p.ConcurrentJobs));
        Assert.Equal([1024, 1536, 2048, 2048, 4096], plans.Select(p => p.MaxSide));
        Assert.Equal([1, 4, 8, 8, 16], plans.Select(p => p.MaxBatch));
        Assert.Equal([0, 2500, 7500, 15000, null], plans.Select(p => p.MonthlyPriceCents));
        Assert.Equal([null, 25000, 75000, 150000, null], plans.Select(p => p.AnnualPriceCents));
        Assert.Equal([0, 50, 500, 2000, null], plans.Select(p => p.ApiCallsPerMonth));
        const long Gb = 1L << 30;
        Assert.Equal([1 * Gb, 20 * Gb, 100 * Gb, 200 * Gb, null], plans.Select(p => p.StorageBytes));
        Assert.Contains("flux", plans.Single(p => p.Id == "pro").Features);
        Assert.DoesNotContain("flux", plans.Single(p => p.Id == "starter").Features);
    }

    [Fact]
    public async Task Plans_are_the_same_for_a_signed_in_user()
    {
        var user = await server.RegisterAsync();
        using var anonymous = server.CreateClient();
        Assert.Equal(
            await anonymous.GetStringAsync("/api/v1/plans"),
            await user.Client.GetStringAsync("/api/v1/plans"));
    }

    [Fact]
    public async Task Models_need_a_signed_in_user()
    {
        using var anonymous = server.CreateClient();
        await ProblemAssert.ReadAsync(await anonymous.GetAsync("/api/v1/models"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_free_user_may_use_sd_15_only()
    {
        var user = await server.RegisterAsync();
        var models = (await user.Client.GetFromJsonAsync<List<CatalogModel>>("/api/v1/models", Json.Options))!;

        var allowed = models.ToDictionary(m => m.Id, m => m.Allowed);
        Assert.True(allowed["sd-1.5"]);
        Assert.False(allowed["sdxl-1.0"]);
        Assert.False(allowed["flux-schnell"]);
        Assert.False(allowed["flux-dev"]);
        Assert.False(allowed["nano-banana"]);

        var minPlans = models.ToDictionary(m => m.Id, m => m.MinPlan);
        Assert.Equal(("free", "starter", "pro", "pro", "pro"),
            (minPlans["sd-1.5"], minPlans["sdxl-1.0"], minPlans["flux-schnell"], minPlans["flux-dev"], minPlans["nano-banana"]));

        // External API models (Gemini, Stability AI, Replicate relays): Pro and above, 20 credits per image.
        string[] external = ["nano-banana", "stability-sd3", "replicate-flux-pro"];
        Assert.All(external, id =>
        {
            var model = models.Single(m => m.Id == id);
            Assert.Equal(("external", "pro", 20, false), (model.Kind, model.MinPlan, model.CreditsPerImage, model.Allowed));
        });
        Assert.All(models.Where(m => !external.Contains(m.Id)), m =>
        {
            Assert.Equal("local", m.Kind);
            Assert.Null(m.CreditsPerImage);
            Assert.True(m.TypicalCredits >= 1);
        });

        // The built-in engine runs sd-1.5 here, so a Free user can actually use it.
        Assert.True(models.Single(m => m.Id == "sd-1.5").Available);
    }

    private sealed record CatalogPlan(
        string Id, string Name, int? MonthlyPriceCents, int? AnnualPriceCents, int? MonthlyCredits, bool UnlimitedCredits, long? StorageBytes,
        int? ConcurrentJobs, int QueuePriority, int? ApiCallsPerMonth, int MaxSide, int MaxBatch, List<string> Features);

    private sealed record CatalogModel(
        string Id, string Name, string Kind, string Family, string MinPlan, bool Allowed, bool Available, int DefaultSteps, int DefaultSide,
        int? CreditsPerImage, int TypicalCredits, string Description);
}
