using Microsoft.EntityFrameworkCore;

using Pingvas.Core.Credits;
using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Developer;
using Pingvas.Server.Workers;

namespace Pingvas.Server.Catalog;

public sealed record PlanResponse(
    string Id, string Name, int? MonthlyPriceCents, int? AnnualPriceCents, int? MonthlyCredits, bool UnlimitedCredits,
    long? StorageBytes, int? ConcurrentJobs, int QueuePriority, int? ApiCallsPerMonth, int MaxSide, int MaxBatch, IReadOnlyList<string> Features);

public sealed record ModelResponse(
    string Id, string Name, string Kind, string Family, string MinPlan, bool Allowed, bool Available, string? Engine, int DefaultSteps, int DefaultSide,
    int? CreditsPerImage, int TypicalCredits, string Description);

public static class CatalogEndpoints
{
    public static RouteGroupBuilder MapCatalog(this RouteGroupBuilder api)
    {
        api.MapGet("/plans", GetPlans).WithTags("Catalog").AllowAnonymous();
        api.MapGet("/models", GetModels).WithTags("Catalog").RequireAuthorization().AllowApiKey(ApiScopes.Read).WithName("listModels");
        return api;
    }

    private static async Task<IReadOnlyList<PlanResponse>> GetPlans(PingvasDb db, CancellationToken ct) =>
        (await db.Plans.AsNoTracking().OrderBy(p => p.Rank).ToListAsync(ct))
            .Select(p => new PlanResponse(p.Id, p.Name, p.MonthlyPriceCents, p.AnnualPriceCents, p.MonthlyCredits, p.MonthlyCredits is null,
                p.StorageBytes, p.ConcurrentJobs, p.QueuePriority, p.ApiCallsPerMonth, p.MaxSide, p.MaxBatch,
                p.Features.Split(',', StringSplitOptions.RemoveEmptyEntries)))
            .ToList();

    /// <summary>The catalog with <c>allowed</c> for this user's plan, and <c>available</c>/<c>engine</c> from the live workers (Workers/ModelAvailability).</summary>
    private static async Task<IReadOnlyList<ModelResponse>> GetModels(
        CurrentUser current, PingvasDb db, DatabaseTenant tenant, ModelAvailability availability, CancellationToken ct)
    {
        var available = await availability.GetAsync(db, tenant, ct);
        var planRank = await db.Users.Where(u => u.Id == current.Id).Join(db.Plans, u => u.PlanId, p => p.Id, (u, p) => p.Rank).SingleAsync(ct);
        var ranks = await db.Plans.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Rank, ct);
        var models = await db.Models.AsNoTracking().Where(m => m.Enabled).ToListAsync(ct);
        return models
            .OrderBy(m => ranks[m.MinPlanId]).ThenBy(m => m.Id, StringComparer.Ordinal)
            .Select(m =>
            {
                var profile = m.ToProfile(ranks[m.MinPlanId]);
                var typical = CostEstimator.Estimate(profile, m.DefaultSide, m.DefaultSide, m.DefaultSteps, 1);
                return new ModelResponse(m.Id, m.Name, m.Kind, m.Family, m.MinPlanId, ranks[m.MinPlanId] <= planRank, available.Contains(m.Id), available.EngineFor(m.Id),
                    m.DefaultSteps, m.DefaultSide, m.Kind == "external" ? m.CreditsPerImage : null, typical, m.Description);
            })
            .ToList();
    }
}
