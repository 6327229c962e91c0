using System.Text.Json;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Billing.LemonSqueezy;
using Pingvas.Server.Billing.Stripe;
using Pingvas.Server.Data;
using Pingvas.Server.Hosting;
using Pingvas.Server.Outbox;
using Pingvas.Server.Hosting.OpenApi;

namespace Pingvas.Server.Billing;

public sealed record WebhookReceipt(bool Received, bool Duplicate);

/// <summary>
/// <c>POST /webhooks/lemonsqueezy</c> and <c>/webhooks/stripe</c>: anonymous, proven by the
/// provider's signature over the raw body. An accepted event is recorded and applied in one
/// transaction, so a crash part-way leaves nothing and the provider's retry applies it whole;
/// a replay finds the record and changes nothing.
/// </summary>
public static class WebhookEndpoints
{
    public const int MaxBodyBytes = 1024 * 1024;

    public static RouteGroupBuilder MapBillingWebhooks(this RouteGroupBuilder api)
    {
        api.MapPost("/webhooks/lemonsqueezy", LemonSqueezy).WithTags("Billing").AllowAnonymous()
            .ProblemCodes(400, "invalid_event").ProblemCodes(401, "invalid_signature").ProblemCodes(404, "billing_unavailable").ProblemCodes(413, "payload_too_large");
        api.MapPost("/webhooks/stripe", Stripe).WithTags("Billing").AllowAnonymous()
            .ProblemCodes(400, "invalid_event").ProblemCodes(401, "invalid_signature").ProblemCodes(404, "billing_unavailable").ProblemCodes(413, "payload_too_large");
        return api;
    }

    private static Task<Results<Ok<WebhookReceipt>, ProblemHttpResult>> LemonSqueezy(HttpContext http, IOptions<BillingOptions> options, CancellationToken ct) =>
        ReceiveAsync(http, options.Value.LemonSqueezy.SigningSecret,
            (secret, body) => LemonSqueezyWebhook.Verify(secret, body, http.Request.Headers["X-Signature"].ToString()),
            (body, root) => LemonSqueezyWebhook.Parse(body, root), ct);

    private static Task<Results<Ok<WebhookReceipt>, ProblemHttpResult>> Stripe(HttpContext http, IOptions<BillingOptions> options, TimeProvider time, CancellationToken ct) =>
        ReceiveAsync(http, options.Value.Stripe.WebhookSecret,
            (secret, body) => StripeWebhook.Verify(secret, body, http.Request.Headers["Stripe-Signature"].ToString(), time.GetUtcNow()),
            (_, root) => StripeWebhook.Parse(root), ct);

    private static async Task<Results<Ok<WebhookReceipt>, ProblemHttpResult>> ReceiveAsync(
        HttpContext http, string? secret, Func<string, byte[], bool> verify, Func<byte[], JsonElement, WebhookEvent?> parse, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return Problems.Create(StatusCodes.Status404NotFound, "billing_unavailable", "Billing is not configured.", "This payment provider has no webhook secret configured.");
        }

        if (await ReadBodyAsync(http.Request, ct) is not { } body)
        {
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, "payload_too_large", "The event is too large.", $"Webhook bodies are limited to {MaxBodyBytes} bytes.");
        }

        if (!verify(secret, body))
        {
            return Problems.Create(StatusCodes.Status401Unauthorized, "invalid_signature", "The signature does not match.", "The event was not signed with this endpoint's secret, or it was changed, or it is too old.");
        }

        WebhookEvent? e;
        try
        {
            using var json = JsonDocument.Parse(body);
            e = parse(body, json.RootElement);
        }
        catch (JsonException)
        {
            e = null;
        }

        if (e is null)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "invalid_event", "Not an event.", "The body is not an event of this provider.");
        }

        var services = http.RequestServices;
        services.GetRequiredService<DatabaseTenant>().EnterSystem();
        var duplicate = await services.GetRequiredService<WebhookProcessor>().ProcessAsync(e, System.Text.Encoding.UTF8.GetString(body), ct);
        if (!duplicate)
        {
            services.GetRequiredService<OutboxSignal>().Wake();
        }

        return TypedResults.Ok(new WebhookReceipt(true, duplicate));
    }

    /// <summary>The raw body, or null when it is over <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}

/// <summary>Records an accepted event and applies it, in one transaction, once per (provider, event id).</summary>
public sealed class WebhookProcessor(PingvasDb db, SubscriptionLifecycle lifecycle, TimeProvider time, ILogger<WebhookProcessor> logger)
{
    /// <summary>Returns true when the event was seen before (nothing changed).</summary>
    public async Task<bool> ProcessAsync(WebhookEvent e, string payload, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        if (await db.BillingEvents.AnyAsync(x => x.Provider == e.Provider && x.EventId == e.EventId, ct))
        {
            return true;
        }

        var record = new BillingEvent
        {
            Id = Ids.New(),
            Provider = e.Provider,
            EventId = e.EventId,
            EventName = e.EventName,
            Outcome = "received",
            Payload = payload,
            ReceivedAt = time.GetUtcNow().UtcDateTime,
        };
        db.BillingEvents.Add(record);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The same event delivered twice at once: the other delivery recorded (and applied) it.
            if (await IsRecordedElsewhereAsync(e, ct))
            {
                return true;
            }

            throw;
        }

        record.UserId = e.Change is null ? e.UserId : await lifecycle.ResolveUserAsync(e, ct);
        if (e.Change is null)
        {
            record.Outcome = "unknown";
            logger.LogInformation("Billing: {Provider} event {Event} ({Id}) is not one we act on; acknowledged", e.Provider, e.EventName, e.EventId);
        }
        else if (record.UserId is not { } userId)
        {
            record.Outcome = "no_user";
            logger.LogWarning("Billing: {Provider} event {Event} ({Id}) names no user of ours; recorded only", e.Provider, e.EventName, e.EventId);
        }
        else
        {
            await db.LockUserAsync(userId, ct);
            if (await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct) is { } user)
            {
                record.Outcome = await lifecycle.ApplyAsync(e, user, ct);
            }
            else
            {
                record.Outcome = "no_user";
                logger.LogWarning("Billing: {Provider} event {Event} ({Id}) names user {User}, who does not exist; recorded only", e.Provider, e.EventName, e.EventId, userId);
            }
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return false;
    }

    private async Task<bool> IsRecordedElsewhereAsync(WebhookEvent e, CancellationToken ct)
    {
        await db.Database.RollbackTransactionAsync(ct);
        db.ChangeTracker.Clear();
        return await db.BillingEvents.AnyAsync(x => x.Provider == e.Provider && x.EventId == e.EventId, ct);
    }
}
