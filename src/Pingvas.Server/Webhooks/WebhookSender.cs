using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Data;
using Pingvas.Server.Email;
using Pingvas.Server.Outbox;

namespace Pingvas.Server.Webhooks;

/// <summary>
/// Sends one attempt of a delivery (topic <see cref="WebhookAttemptMessage.Topic"/> of the outbox,
/// so the outbox's dispatcher runs it): signs the stored body, POSTs it with no transaction open,
/// then records the attempt and, after a failure, writes the next attempt's outbox message with
/// its backoff, in one transaction. A generation's later event waits while an earlier one to the
/// same target is pending. Never throws for a failed send: the retries are this class's, not the outbox's.
/// Runs in the webhook lane (<see cref="OutboxLane"/>), several deliveries at once, one per target.
/// </summary>
public sealed class WebhookSender(
    PingvasDb db,
    IHttpClientFactory http,
    WebhookSecrets secrets,
    OutboxWriter outbox,
    IOptions<WebhookOptions> options,
    IOptions<EmailOptions> email,
    TimeProvider time,
    Telemetry.PingvasMetrics metrics,
    ILogger<WebhookSender> logger) : IOutboxHandler
{
    public const string HttpClientName = "webhooks";

    public string Topic => WebhookAttemptMessage.Topic;

    public async Task DeliverAsync(OutboxMessage message, CancellationToken ct)
    {
        try
        {
            await AttemptAsync(JsonSerializer.Deserialize<WebhookAttemptMessage>(message.Payload, WebhookPublisher.Json)!, ct);
        }
        finally
        {
            // The dispatcher's context serves the next message too: leave nothing tracked.
            db.ChangeTracker.Clear();
        }
    }

    private async Task AttemptAsync(WebhookAttemptMessage request, CancellationToken ct)
    {
        var delivery = await db.WebhookDeliveries.AsNoTracking().SingleOrDefaultAsync(d => d.Id == request.DeliveryId, ct);
        if (delivery is null || delivery.Status != WebhookDelivery.Pending || delivery.Attempts != request.Attempt)
        {
            return; // Done already, or a repeat of an attempt already made.
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (await EarlierPendingAsync(delivery, ct) is { } earlier)
        {
            // In order per generation: try again just after the earlier event's next attempt.
            var at = (earlier.NextAttemptAt is { } next && next > now ? next : now) + TimeSpan.FromSeconds(1);
            await ScheduleAsync(delivery.Id, request.Attempt, at, ct);
            return;
        }

        WebhookEndpoint? endpoint = null;
        if (delivery.EndpointId is { } endpointId)
        {
            endpoint = await db.WebhookEndpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == endpointId, ct);
            if (endpoint is null || !endpoint.Enabled)
            {
                await RecordAsync(delivery, request.Attempt, new WebhookAttempt(now, null, 0, "The endpoint is disabled."), final: true, ct);
                return;
            }
        }

        var signing = endpoint is not null
            ? Secrets(endpoint.UserId, endpoint.Secret, endpoint.PreviousSecret, endpoint.PreviousSecretUntil, now)
            : await DefaultSecretsAsync(delivery.UserId, now, ct);
        var attempt = await SendAsync(delivery, signing, now, ct);
        await RecordAsync(delivery, request.Attempt, attempt, final: false, ct);
    }

    private Task<WebhookDelivery?> EarlierPendingAsync(WebhookDelivery delivery, CancellationToken ct)
    {
        if (delivery.GenerationId is not { } generation)
        {
            return Task.FromResult<WebhookDelivery?>(null);
        }

        return db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.GenerationId == generation && d.Url == delivery.Url && d.EndpointId == delivery.EndpointId
                && d.Status == WebhookDelivery.Pending && d.CreatedAt < delivery.CreatedAt)
            .OrderBy(d => d.CreatedAt).FirstOrDefaultAsync(ct);
    }

    private List<string> Secrets(Guid owner, string current, string? previous, DateTime? previousUntil, DateTime now)
    {
        var list = new List<string> { secrets.Decrypt(current, owner) };
        if (previous is not null && previousUntil > now)
        {
            list.Add(secrets.Decrypt(previous, owner));
        }

        return list;
    }

    private async Task<List<string>> DefaultSecretsAsync(Guid userId, DateTime now, CancellationToken ct)
    {
        var row = await db.WebhookDefaultSecrets.AsNoTracking().SingleOrDefaultAsync(s => s.UserId == userId, ct)
            ?? throw new InvalidOperationException("A per-generation webhook without a default secret."); // made at submit
        return Secrets(userId, row.Secret, row.PreviousSecret, row.PreviousSecretUntil, now);
    }

    private async Task<WebhookAttempt> SendAsync(WebhookDelivery delivery, IReadOnlyList<string> signing, DateTime now, CancellationToken ct)
    {
        var id = WebhookSignature.MessageId(delivery.MessageId);
        var timestamp = new DateTimeOffset(now).ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Header(id, timestamp, delivery.Body, signing));
        request.Headers.UserAgent.ParseAdd("Pingvas-Webhooks/1");

        var watch = Stopwatch.StartNew();
        try
        {
            using var client = http.CreateClient(HttpClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = (int)response.StatusCode;
            return new WebhookAttempt(now, status, watch.ElapsedMilliseconds, response.IsSuccessStatusCode ? null : $"The endpoint answered {status}.");
        }
        catch (HttpRequestException ex) when (FindForbidden(ex) is { } forbidden)
        {
            return new WebhookAttempt(now, null, watch.ElapsedMilliseconds, $"webhook_url_forbidden: {forbidden.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new WebhookAttempt(now, null, watch.ElapsedMilliseconds, $"No answer within {options.Value.TimeoutSeconds} s.");
        }
        catch (HttpRequestException ex)
        {
            return new WebhookAttempt(now, null, watch.ElapsedMilliseconds, Trim(ex.Message));
        }
    }

    private static WebhookTargetForbiddenException? FindForbidden(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is WebhookTargetForbiddenException forbidden)
            {
                return forbidden;
            }
        }

        return null;
    }

    /// <summary>Records the attempt; after a failure, the next one's outbox message (or gives up after the retry window).</summary>
    private async Task RecordAsync(WebhookDelivery seen, int attemptNumber, WebhookAttempt attempt, bool final, CancellationToken ct)
    {
        var settings = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        await using var tx = await db.BeginWriteAsync(ct);
        var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == seen.Id, ct);
        if (delivery is null || delivery.Status != WebhookDelivery.Pending || delivery.Attempts != attemptNumber)
        {
            return;
        }

        var log = JsonSerializer.Deserialize<List<WebhookAttempt>>(delivery.AttemptsLog, WebhookPublisher.Json) ?? [];
        log.Add(attempt);
        delivery.AttemptsLog = JsonSerializer.Serialize(log, WebhookPublisher.Json);
        delivery.Attempts = attemptNumber + 1;
        delivery.LastStatusCode = attempt.StatusCode;
        delivery.LastError = attempt.Error;
        var endpoint = delivery.EndpointId is { } endpointId ? await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == endpointId, ct) : null;
        if (attempt.Error is null)
        {
            delivery.Status = WebhookDelivery.Delivered;
            delivery.DeliveredAt = now;
            delivery.NextAttemptAt = null;
            if (endpoint is not null)
            {
                endpoint.FailingSince = null;
            }
        }
        else
        {
            if (final || now - delivery.CreatedAt >= TimeSpan.FromHours(settings.RetryHours))
            {
                delivery.Status = WebhookDelivery.Failed;
                delivery.NextAttemptAt = null;
            }
            else
            {
                delivery.NextAttemptAt = now + WebhookBackoff.After(delivery.Attempts, Random.Shared);
                Schedule(delivery, delivery.Attempts, delivery.NextAttemptAt.Value);
            }

            if (endpoint is { Enabled: true } && !final)
            {
                endpoint.FailingSince ??= attempt.At;
                if (now - endpoint.FailingSince >= TimeSpan.FromDays(settings.DisableAfterDays))
                {
                    endpoint.Enabled = false;
                    endpoint.DisabledReason = "failing";
                    logger.LogWarning("Webhook endpoint {Endpoint} disabled after {Days} days of failed deliveries", endpoint.Id, settings.DisableAfterDays);
                    if (email.Value.Enabled)
                    {
                        outbox.Enqueue(new EmailRequest(EmailKinds.WebhookDisabled, endpoint.UserId, new Dictionary<string, string> { ["url"] = endpoint.Url }));
                    }
                }
            }
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        metrics.WebhookAttempt(attempt.Error is null ? "delivered" : endpoint is { Enabled: false } ? "disabled" : "failed");
    }

    private async Task ScheduleAsync(Guid deliveryId, int attempt, DateTime at, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        var delivery = await db.WebhookDeliveries.SingleAsync(d => d.Id == deliveryId, ct);
        delivery.NextAttemptAt = at;
        Schedule(delivery, attempt, at);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    private void Schedule(WebhookDelivery delivery, int attempt, DateTime at)
    {
        var message = outbox.Add(WebhookAttemptMessage.Topic, delivery.UserId, JsonSerializer.Serialize(new WebhookAttemptMessage(delivery.Id, attempt), WebhookPublisher.Json));
        message.AvailableAt = at;
        message.PartitionKey = WebhookAttemptMessage.PartitionFor(delivery);
    }

    private static string Trim(string text) => text.Length > 300 ? text[..300] : text;
}
