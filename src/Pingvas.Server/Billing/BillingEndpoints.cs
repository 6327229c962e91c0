using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Hosting;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.Billing;

public sealed record BillingPlanDto(string Id, string Name);

/// <param name="Status">active, past_due, cancelled (ends at the period end), expired or paused.</param>
/// <param name="PendingPlanId">A downgrade waiting for the period end, with its interval.</param>
public sealed record BillingSubscriptionDto(
    string Status, string PlanId, string Interval, DateTime? RenewsAt, DateTime? EndsAt, bool CancelAtPeriodEnd, DateTime? GraceUntil,
    string? PendingPlanId, string? PendingInterval);

public sealed record BillingProductPlanDto(string PlanId, string Interval);

public sealed record BillingProductsDto(IReadOnlyList<BillingProductPlanDto> Plans, IReadOnlyList<int> TopUps);

/// <param name="Amount">In minor units (cents).</param>
public sealed record BillingPaymentDto(DateTime At, string Kind, string Description, int Amount, string Currency, string Status);

public sealed record BillingDto(
    string? Provider, BillingPlanDto Plan, BillingSubscriptionDto? Subscription, BillingProductsDto Products, IReadOnlyList<BillingPaymentDto> Payments);

public sealed record ChangePlanRequest(string? Plan, string? Interval);

public sealed record PortalDto(Uri Url);

/// <summary>
/// The signed-in user's billing: <c>GET /billing</c>, and requests to the provider to change the
/// plan, cancel, resume, or open its portal. Those only ask the provider: our state changes when
/// its webhook arrives (Billing/WebhookEndpoints.cs). <c>POST /billing/checkout</c> lives beside.
/// </summary>
public static class BillingEndpoints
{
    private const int PaymentsShown = 100;

    public static RouteGroupBuilder MapBilling(this RouteGroupBuilder api)
    {
        var billing = api.MapGroup("/billing").WithTags("Billing").RequireAuthorization()
            .ProblemCodes(400, "invalid_product").ProblemCodes(404, "billing_unavailable", "no_subscription").ProblemCodes(409, "already_subscribed")
            .ProblemCodes(502, "billing_provider_error").ProblemCodes(503, "billing_unavailable");
        billing.MapGet("", GetAsync);
        billing.MapPost("/subscription/plan", ChangePlanAsync);
        billing.MapPost("/subscription/cancel", (HttpContext http, CurrentUser current, PingvasDb db, CancellationToken ct) =>
            AskAsync(http, current, db, (p, s) => p.CancelAsync(s.ProviderSubscriptionId, ct), ct));
        billing.MapPost("/subscription/resume", (HttpContext http, CurrentUser current, PingvasDb db, CancellationToken ct) =>
            AskAsync(http, current, db, (p, s) => p.ResumeAsync(s.ProviderSubscriptionId, ct), ct));
        billing.MapPost("/portal", PortalAsync);
        return api;
    }

    private static async Task<Ok<BillingDto>> GetAsync(HttpContext http, CurrentUser current, PingvasDb db, IOptions<BillingOptions> options, CancellationToken ct)
    {
        var provider = http.RequestServices.GetService<IBillingProvider>();
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == current.Id, ct);
        var plan = await db.Plans.AsNoTracking().SingleAsync(p => p.Id == user.PlanId, ct);
        var row = await db.Subscriptions.AsNoTracking().Where(s => s.UserId == current.Id)
            .OrderBy(s => s.Status == SubscriptionStatus.Expired).ThenByDescending(s => s.UpdatedAt).FirstOrDefaultAsync(ct);
        var payments = await db.BillingPayments.AsNoTracking().Where(p => p.UserId == current.Id)
            .OrderByDescending(p => p.At).ThenByDescending(p => p.Id).Take(PaymentsShown).ToListAsync(ct);

        var products = new BillingProductsDto([], []);
        if (provider is not null)
        {
            var catalog = BillingCatalog.For(options.Value);
            var planIds = await db.Plans.AsNoTracking().OrderBy(p => p.Rank).Select(p => p.Id).ToListAsync(ct);
            var plans = planIds
                .SelectMany(id => BillingCatalog.Intervals.Select(i => BillingProduct.Plan(id, i)))
                .Where(p => catalog.IdOf(p) is not null)
                .Select(p => new BillingProductPlanDto(p.PlanId!, p.Interval!))
                .ToList();
            products = new BillingProductsDto(plans, catalog.TopUpPacks);
        }

        return TypedResults.Ok(new BillingDto(
            provider?.Name,
            new BillingPlanDto(plan.Id, plan.Name),
            row is null ? null : ToDto(row),
            products,
            [.. payments.Select(p => new BillingPaymentDto(p.At, p.Kind, p.Description, p.Amount, p.Currency, p.Status))]));
    }

    private static BillingSubscriptionDto ToDto(Subscription s)
    {
        var status = s.Status switch
        {
            SubscriptionStatus.Active when s.CancelAtPeriodEnd => "cancelled",
            _ => s.Status,
        };
        return new BillingSubscriptionDto(status, s.PlanId, s.Interval, s.IsLive && !s.CancelAtPeriodEnd ? s.RenewsAt ?? s.PaidThrough : null,
            s.CancelAtPeriodEnd || !s.IsLive ? s.EndsAt ?? s.PaidThrough : null, s.CancelAtPeriodEnd, s.GraceUntil, s.PendingPlanId, s.PendingInterval);
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> ChangePlanAsync(
        ChangePlanRequest request, HttpContext http, CurrentUser current, PingvasDb db, IOptions<BillingOptions> options, CancellationToken ct)
    {
        if (http.RequestServices.GetService<IBillingProvider>() is not { } provider)
        {
            return Unavailable();
        }

        if (await LiveAsync(db, current.Id, provider.Name, ct) is not { } subscription)
        {
            return NoSubscription();
        }

        if (request.Plan is not { } plan || request.Interval is not { } interval || !BillingCatalog.Intervals.Contains(interval)
            || BillingCatalog.For(options.Value).IdOf(BillingProduct.Plan(plan, interval)) is null)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "invalid_product", "Not on sale.", "That plan and interval are not on sale.");
        }

        return await CallAsync(() => provider.ChangePlanAsync(subscription.ProviderSubscriptionId, BillingProduct.Plan(plan, interval), ct));
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> AskAsync(
        HttpContext http, CurrentUser current, PingvasDb db, Func<IBillingProvider, Subscription, Task> ask, CancellationToken ct)
    {
        if (http.RequestServices.GetService<IBillingProvider>() is not { } provider)
        {
            return Unavailable();
        }

        return await LiveAsync(db, current.Id, provider.Name, ct) is { } subscription
            ? await CallAsync(() => ask(provider, subscription))
            : NoSubscription();
    }

    private static async Task<Results<Ok<PortalDto>, ProblemHttpResult>> PortalAsync(HttpContext http, CurrentUser current, PingvasDb db, CancellationToken ct)
    {
        if (http.RequestServices.GetService<IBillingProvider>() is not { } provider)
        {
            return Unavailable();
        }

        if (await LiveAsync(db, current.Id, provider.Name, ct) is not { } subscription)
        {
            return NoSubscription();
        }

        try
        {
            return TypedResults.Ok(new PortalDto(await provider.PortalUrlAsync(subscription.ProviderSubscriptionId, subscription.ProviderCustomerId, ct)));
        }
        catch (BillingProviderException ex)
        {
            return ProviderError(ex);
        }
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> CallAsync(Func<Task> call)
    {
        try
        {
            await call();
            return TypedResults.Accepted((string?)null);
        }
        catch (BillingProviderException ex)
        {
            return ProviderError(ex);
        }
    }

    private static Task<Subscription?> LiveAsync(PingvasDb db, Guid userId, string provider, CancellationToken ct) =>
        db.Subscriptions.AsNoTracking()
            .Where(s => s.UserId == userId && s.Provider == provider && s.Status != SubscriptionStatus.Expired)
            .OrderByDescending(s => s.UpdatedAt)
            .FirstOrDefaultAsync(ct);

    public static ProblemHttpResult Unavailable() =>
        Problems.Create(StatusCodes.Status503ServiceUnavailable, "billing_unavailable", "Billing is not available.", "No payment provider is configured.");

    private static ProblemHttpResult NoSubscription() =>
        Problems.Create(StatusCodes.Status404NotFound, "no_subscription", "No subscription.", "You have no paid subscription to manage.");

    private static ProblemHttpResult ProviderError(BillingProviderException ex) =>
        Problems.Create(StatusCodes.Status502BadGateway, "billing_provider_error", "The payment provider did not answer.", ex.Message);
}
