using System.Text.Json;
using System.Text.Json.Serialization;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Generation;
using Pingvas.Server.Hosting;
using Pingvas.Server.Jobs;
using Pingvas.Server.Outbox;

namespace Pingvas.Server.Webhooks;

/// <summary>The outbox message that asks the sender for one attempt of a delivery.</summary>
public sealed record WebhookAttemptMessage(Guid DeliveryId, int Attempt)
{
    public const string Topic = "webhook";

    /// <summary>The outbox partition of a delivery: its target, which the webhook lane sends to one message at a time.</summary>
    public static string PartitionFor(WebhookDelivery delivery) =>
        delivery.EndpointId is { } endpoint ? $"endpoint:{endpoint}" : $"url:{delivery.Url}";
}

/// <summary>
/// Writes webhook deliveries, each with the outbox message of its first attempt, into the caller's
/// context: they commit with the state change they report, or not at all. The caller saves,
/// commits and wakes the outbox.
/// </summary>
public sealed class WebhookPublisher(PingvasDb db, OutboxWriter outbox, WebhookSecrets secrets, TimeProvider time)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(), new UtcDateTimeConverter() },
    };

    /// <summary>The event of a job's new state for its owner's endpoints and its own webhook.</summary>
    public async Task GenerationAsync(Job job, GenerationDto generation, CancellationToken ct)
    {
        var type = WebhookEvents.ForStatus(generation.Status);
        var data = generation with { Balance = null, Preview = null };
        if (WebhookEvents.Terminal.Contains(type) && job.StartedAt is { } startedAt)
        {
            await StartedIfMissingAsync(job, data, startedAt, ct);
        }

        var body = Body(type, data);
        foreach (var (endpointId, url) in await TargetsAsync(job, type, ct))
        {
            Add(job.UserId, endpointId, url, type, job.Id, body);
        }
    }

    /// <summary>
    /// The claim writes "started" just after it commits, not in its transaction (the claim is one
    /// hot statement). Should that write be lost (the process died in between), the job's final
    /// event writes it first, dated when the job started so it is sent first; a target that has it
    /// is left alone, so it is never written twice for one run.
    /// </summary>
    private async Task StartedIfMissingAsync(Job job, GenerationDto data, DateTime startedAt, CancellationToken ct)
    {
        var targets = await TargetsAsync(job, WebhookEvents.Started, ct);
        if (targets.Count == 0)
        {
            return;
        }

        var sent = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.GenerationId == job.Id && d.EventType == WebhookEvents.Started && d.CreatedAt >= startedAt)
            .Select(d => new { d.EndpointId, d.Url }).ToListAsync(ct);
        var started = data with
        {
            Status = "running",
            Progress = data.Progress with { Step = 0, Percent = 0 },
            Images = [],
            GpuSeconds = null,
            CreditsCharged = null,
            Error = null,
            FinishedAt = null,
        };
        var body = Body(WebhookEvents.Started, started);
        foreach (var (endpointId, url) in targets.Where(t => !sent.Any(s => s.EndpointId == t.EndpointId && s.Url == t.Url)))
        {
            Add(job.UserId, endpointId, url, WebhookEvents.Started, job.Id, body, createdAt: startedAt);
        }
    }

    /// <summary>Where an event of this job goes: the owner's endpoints subscribed to it, and the job's own webhook if it asked for it.</summary>
    private async Task<List<(Guid? EndpointId, string Url)>> TargetsAsync(Job job, string type, CancellationToken ct)
    {
        var targets = (await SubscribedAsync(job.UserId, type, ct)).Select(e => ((Guid?)e.Id, e.Url)).ToList();
        if (job.WebhookUrl is { } url && (job.WebhookEvents ?? "").Split(',').Contains(type))
        {
            targets.Add((null, url));
        }

        return targets;
    }

    /// <summary><c>credits.low</c> to the owner's subscribed endpoints.</summary>
    public async Task CreditsLowAsync(Guid userId, int balance, int threshold, CancellationToken ct)
    {
        var body = Body(WebhookEvents.CreditsLow, new { balance, threshold });
        foreach (var endpoint in await SubscribedAsync(userId, WebhookEvents.CreditsLow, ct))
        {
            Add(userId, endpoint.Id, endpoint.Url, WebhookEvents.CreditsLow, null, body);
        }
    }

    /// <summary><see cref="CreditsLowAsync"/> unless this period already sent it (once per crossing of the threshold).</summary>
    public async Task CreditsLowOnceAsync(Guid userId, int balance, int threshold, DateTime periodStart, CancellationToken ct)
    {
        if (!await db.WebhookDeliveries.AnyAsync(d => d.UserId == userId && d.EventType == WebhookEvents.CreditsLow && d.CreatedAt >= periodStart, ct))
        {
            await CreditsLowAsync(userId, balance, threshold, ct);
        }
    }

    public WebhookDelivery Test(WebhookEndpoint endpoint) =>
        Add(endpoint.UserId, endpoint.Id, endpoint.Url, WebhookEvents.Test, null,
            Body(WebhookEvents.Test, new { endpointId = endpoint.Id, message = "A test event from Pingvas Studio." }));

    /// <summary>A new delivery of the same message (same webhook-id and body).</summary>
    public WebhookDelivery Redeliver(WebhookDelivery earlier) =>
        Add(earlier.UserId, earlier.EndpointId, earlier.Url, earlier.EventType, earlier.GenerationId, earlier.Body, earlier.MessageId);

    /// <summary>The account's default secret, made (under the caller's lock of the owner) when it has none yet.</summary>
    public async Task<WebhookDefaultSecret> DefaultSecretAsync(Guid userId, CancellationToken ct)
    {
        if (await db.WebhookDefaultSecrets.SingleOrDefaultAsync(s => s.UserId == userId, ct) is { } existing)
        {
            return existing;
        }

        var made = new WebhookDefaultSecret
        {
            UserId = userId,
            Secret = secrets.Encrypt(WebhookSecrets.NewSecret(), userId),
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.WebhookDefaultSecrets.Add(made);
        return made;
    }

    private async Task<List<WebhookEndpoint>> SubscribedAsync(Guid userId, string type, CancellationToken ct)
    {
        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(e => e.UserId == userId && e.Enabled).ToListAsync(ct);
        return endpoints.Where(e => e.EventList.Contains(type)).OrderBy(e => e.Id).ToList();
    }

    private string Body(string type, object data) =>
        JsonSerializer.Serialize(new { type, timestamp = time.GetUtcNow().UtcDateTime, data }, Json);

    private WebhookDelivery Add(Guid userId, Guid? endpointId, string url, string type, Guid? generationId, string body, Guid? messageId = null, DateTime? createdAt = null)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var delivery = new WebhookDelivery
        {
            Id = Ids.New(),
            UserId = userId,
            EndpointId = endpointId,
            Url = url,
            MessageId = messageId ?? Ids.New(),
            EventType = type,
            GenerationId = generationId,
            Body = body,
            NextAttemptAt = now,
            CreatedAt = createdAt ?? now,
        };
        db.WebhookDeliveries.Add(delivery);
        var message = outbox.Add(WebhookAttemptMessage.Topic, userId, JsonSerializer.Serialize(new WebhookAttemptMessage(delivery.Id, 0), Json));
        message.PartitionKey = WebhookAttemptMessage.PartitionFor(delivery);
        return delivery;
    }
}
