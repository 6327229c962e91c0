using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Hosting;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.Billing;

/// <summary>A plan for an interval (<c>{plan, interval}</c>) or a pack of credits (<c>{topUp}</c>).</summary>
public sealed record CheckoutRequest(string? Plan, string? Interval, int? TopUp);

/// <summary>The provider's hosted checkout page to send the browser to.</summary>
public sealed record CheckoutResponse(Uri Url);

/// <summary>
/// <c>POST /api/v1/billing/checkout</c>: asks the configured provider for a hosted checkout carrying
/// the caller's id (and nobody else's). Nothing changes here: the purchase lands with the webhook.
/// </summary>
public static class CheckoutEndpoints
{
    public static readonly IReadOnlyList<string> NotForSale = ["free", "enterprise"];

    public static RouteGroupBuilder MapBillingCheckout(this RouteGroupBuilder api)
    {
        api.MapPost("/billing/checkout", Checkout).WithTags("Billing").RequireAuthorization().RequireRateLimiting(RateLimits.Submit)
            .ProblemCodes(400, "invalid_product").ProblemCodes(404, "billing_unavailable").ProblemCodes(409, "already_subscribed")
            .ProblemCodes(502, "billing_provider_error").ProblemCodes(503, "billing_unavailable");
        return api;
    }

    private static async Task<Results<Ok<CheckoutResponse>, ProblemHttpResult>> Checkout(
        CheckoutRequest request, CurrentUser current, PingvasDb db, IOptions<BillingOptions> options,
        [FromServices] IBillingProvider? provider, ILoggerFactory loggers, CancellationToken ct)
    {
        if (provider is null)
        {
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "billing_unavailable", "Billing is not available.",
                "This server has no payment provider configured, so nothing is on sale.");
        }

        if ((request.TopUp is null) == (request.Plan is null) || (request.TopUp is not null && request.Interval is not null))
        {
            return Problems.Validation("body", "Send either plan and interval, or topUp.");
        }

        var product = request.TopUp is { } credits ? BillingProduct.TopUp(credits) : BillingProduct.Plan(request.Plan!, request.Interval ?? "");
        if (!OnSale(product, BillingCatalog.For(options.Value)))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "invalid_product", "Not on sale.",
                "That plan, interval or top-up pack is not on sale; GET /api/v1/billing lists what is.");
        }

        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == current.Id, ct);
        // One subscription per account: a live one changes plan through /billing/subscription/plan.
        // A plan an admin assigned (no subscription) can still be bought.
        if (!product.IsTopUp && await db.Subscriptions.AnyAsync(s => s.UserId == user.Id && s.Status != SubscriptionStatus.Expired, ct))
        {
            return Problems.Conflict("already_subscribed",
                "You already have a paid plan: change it with POST /api/v1/billing/subscription/plan.");
        }

        var logger = loggers.CreateLogger(typeof(CheckoutEndpoints));
        try
        {
            var url = await provider.CreateCheckoutAsync(new BillingCustomer(user.Id, user.Email, user.Name), product, ct);
            logger.LogInformation("{Provider} checkout created for user {UserId}: {Product}.", provider.Name, user.Id, Describe(product));
            return TypedResults.Ok(new CheckoutResponse(url));
        }
        catch (BillingProviderException ex)
        {
            logger.LogWarning("Checkout for user {UserId} failed: {Reason}", user.Id, ex.Message);
            return Problems.Create(StatusCodes.Status502BadGateway, "billing_provider_error", "The payment provider did not answer.",
                "The payment provider could not create the checkout. Try again in a moment.");
        }
    }

    private static bool OnSale(BillingProduct product, BillingCatalog catalog) => product.IsTopUp
        ? product.TopUpCredits > 0 && catalog.IdOf(product) is not null
        : BillingCatalog.Intervals.Contains(product.Interval) && !NotForSale.Contains(product.PlanId) && catalog.IdOf(product) is not null;

    private static string Describe(BillingProduct product) =>
        product.IsTopUp ? $"top-up {product.TopUpCredits}" : $"{product.PlanId} {product.Interval}";
}
