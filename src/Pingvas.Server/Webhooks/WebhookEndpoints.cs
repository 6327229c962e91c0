using Microsoft.AspNetCore.Http.HttpResults;

using Pingvas.Server.Accounts;
using Pingvas.Server.Developer;
using Pingvas.Server.Hosting;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.Webhooks;

/// <summary><c>/webhook-endpoints</c>, <c>/webhook-deliveries</c> and <c>/webhooks/default/secret</c>: the caller's own only.</summary>
public static class WebhookEndpoints
{
    public static RouteGroupBuilder MapWebhooks(this RouteGroupBuilder api)
    {
        var endpoints = api.MapGroup("/webhook-endpoints").WithTags("Webhooks").RequireAuthorization().AllowApiKey(ApiScopes.Webhooks)
            .ProblemCodes(400, "webhook_url_forbidden").ProblemCodes(409, "webhook_endpoint_limit");
        endpoints.MapGet("", async (CurrentUser current, WebhookService webhooks, CancellationToken ct) => TypedResults.Ok(new WebhookEndpointList(await webhooks.ListAsync(current.Id, ct))))
            .WithName("listWebhookEndpoints");
        endpoints.MapPost("", Create).WithName("createWebhookEndpoint")
            .RequestExample(ApiExamples.CreateWebhook).ResponseExample(StatusCodes.Status201Created, ApiExamples.CreatedWebhook);
        endpoints.MapGet("/{id:guid}", Get).WithName("getWebhookEndpoint");
        endpoints.MapPatch("/{id:guid}", Update);
        endpoints.MapDelete("/{id:guid}", Delete).WithName("deleteWebhookEndpoint");
        endpoints.MapPost("/{id:guid}/rotate-secret", Rotate).WithName("rotateWebhookEndpointSecret");
        endpoints.MapPost("/{id:guid}/test", Test);
        endpoints.MapGet("/{id:guid}/deliveries", Deliveries).WithName("listWebhookDeliveries");

        var deliveries = api.MapGroup("/webhook-deliveries").WithTags("Webhooks").RequireAuthorization().AllowApiKey(ApiScopes.Webhooks);
        deliveries.MapPost("/{id:guid}/redeliver", Redeliver);

        var defaults = api.MapGroup("/webhooks/default/secret").WithTags("Webhooks").RequireAuthorization().AllowApiKey(ApiScopes.Webhooks);
        defaults.MapGet("", async (CurrentUser current, WebhookService webhooks, CancellationToken ct) =>
            TypedResults.Ok(new WebhookSecretDto(await webhooks.DefaultSecretAsync(current.Id, rotate: false, ct))));
        defaults.MapPost("/rotate", async (CurrentUser current, WebhookService webhooks, CancellationToken ct) =>
            TypedResults.Ok(new WebhookSecretDto(await webhooks.DefaultSecretAsync(current.Id, rotate: true, ct))));
        return api;
    }

    public static ProblemHttpResult ToProblem(WebhookError error) => error.Kind switch
    {
        WebhookErrorKind.Invalid => Problems.Validation(error.Field, error.Message),
        WebhookErrorKind.Forbidden => Problems.Create(StatusCodes.Status400BadRequest, "webhook_url_forbidden", "This URL cannot receive webhooks.", error.Message),
        WebhookErrorKind.Limit => Problems.Conflict("webhook_endpoint_limit", $"A user keeps at most {WebhookOptions.MaxEndpointsPerUser} webhook endpoints; delete one first."),
        _ => Problems.NotFound("webhook endpoint"),
    };

    private static async Task<Results<Created<WebhookEndpointDto>, ProblemHttpResult>> Create(CreateWebhookRequest request, CurrentUser current, WebhookService webhooks, CancellationToken ct)
    {
        var (dto, error) = await webhooks.CreateAsync(current.Id, request, ct);
        return error is not null ? ToProblem(error) : TypedResults.Created($"/api/v1/webhook-endpoints/{dto!.Id}", dto);
    }

    private static async Task<Results<Ok<WebhookEndpointDto>, ProblemHttpResult>> Get(Guid id, CurrentUser current, WebhookService webhooks, CancellationToken ct) =>
        await webhooks.GetAsync(current.Id, id, ct) is { } dto ? TypedResults.Ok(dto) : Problems.NotFound("webhook endpoint");

    private static async Task<Results<Ok<WebhookEndpointDto>, ProblemHttpResult>> Update(Guid id, UpdateWebhookRequest request, CurrentUser current, WebhookService webhooks, CancellationToken ct)
    {
        var (dto, error) = await webhooks.UpdateAsync(current.Id, id, request, ct);
        return error is not null ? ToProblem(error) : TypedResults.Ok(dto!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, CurrentUser current, WebhookService webhooks, CancellationToken ct) =>
        await webhooks.DeleteAsync(current.Id, id, ct) ? TypedResults.NoContent() : Problems.NotFound("webhook endpoint");

    private static async Task<Results<Ok<WebhookSecretDto>, ProblemHttpResult>> Rotate(Guid id, RotateSecretRequest? request, CurrentUser current, WebhookService webhooks, CancellationToken ct)
    {
        var overlap = request?.OverlapHours ?? 24;
        if (overlap is < 0 or > 72)
        {
            return Problems.Validation("overlapHours", "overlapHours must be between 0 and 72.");
        }

        return await webhooks.RotateAsync(current.Id, id, overlap, ct) is { } secret ? TypedResults.Ok(new WebhookSecretDto(secret)) : Problems.NotFound("webhook endpoint");
    }

    private static async Task<Results<Accepted<WebhookTestDto>, ProblemHttpResult>> Test(Guid id, CurrentUser current, WebhookService webhooks, CancellationToken ct) =>
        await webhooks.TestAsync(current.Id, id, ct) is { } delivery ? TypedResults.Accepted((string?)null, new WebhookTestDto(delivery)) : Problems.NotFound("webhook endpoint");

    private static async Task<Results<Ok<Page<WebhookDeliveryDto>>, ProblemHttpResult>> Deliveries(
        Guid id, string? cursor, string? limit, CurrentUser current, WebhookService webhooks, CancellationToken ct)
    {
        if (!Paging.TryRead(cursor, limit, out var after, out var take, out var errors))
        {
            return Problems.Validation(errors);
        }

        var (rows, found) = await webhooks.DeliveriesAsync(current.Id, id, after, take, ct);
        return found ? TypedResults.Ok(Paging.Build(rows!, take, d => d.Id, WebhookDeliveryDto.From)) : Problems.NotFound("webhook endpoint");
    }

    private static async Task<Results<Accepted<WebhookTestDto>, ProblemHttpResult>> Redeliver(Guid id, CurrentUser current, WebhookService webhooks, CancellationToken ct) =>
        await webhooks.RedeliverAsync(current.Id, id, ct) is { } delivery ? TypedResults.Accepted((string?)null, new WebhookTestDto(delivery)) : Problems.NotFound("webhook delivery");
}
