using Microsoft.AspNetCore.Http.HttpResults;

using Pingvas.Server.Accounts;
using Pingvas.Server.Developer;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Webhooks;

/// <summary><c>GET /generations/{id}/webhook-deliveries</c>: the delivery log of one of the caller's generations, its own <c>webhook</c> URL included.</summary>
public static class GenerationWebhookEndpoints
{
    public static RouteGroupBuilder MapGenerationWebhooks(this RouteGroupBuilder api)
    {
        api.MapGet("/generations/{id:guid}/webhook-deliveries", Deliveries)
            .WithTags("Webhooks").WithName("listGenerationWebhookDeliveries").RequireAuthorization().AllowApiKey(ApiScopes.Webhooks);
        return api;
    }

    private static async Task<Results<Ok<Page<WebhookDeliveryDto>>, ProblemHttpResult>> Deliveries(
        Guid id, string? cursor, string? limit, CurrentUser current, WebhookService webhooks, CancellationToken ct)
    {
        if (!Paging.TryRead(cursor, limit, out var after, out var take, out var errors))
        {
            return Problems.Validation(errors);
        }

        var (rows, found) = await webhooks.GenerationDeliveriesAsync(current.Id, id, after, take, ct);
        return found ? TypedResults.Ok(Paging.Build(rows!, take, d => d.Id, WebhookDeliveryDto.From)) : Problems.NotFound("generation");
    }
}
