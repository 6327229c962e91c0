using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Outbox;

namespace Pingvas.Server.Webhooks;

/// <summary>A user's webhook endpoints, default secret, deliveries and redeliveries (docs/developer-platform.md "Webhooks").</summary>
public sealed class WebhookService(PingvasDb db, WebhookSecrets secrets, WebhookTargets targets, WebhookPublisher publisher, OutboxSignal signal, TimeProvider time)
{
    public async Task<List<WebhookEndpointDto>> ListAsync(Guid userId, CancellationToken ct) =>
        (await db.WebhookEndpoints.AsNoTracking().Where(e => e.UserId == userId).OrderBy(e => e.Id).ToListAsync(ct)).Select(e => ToDto(e)).ToList();

    public async Task<WebhookEndpointDto?> GetAsync(Guid userId, Guid id, CancellationToken ct) =>
        await FindAsync(userId, id, ct) is { } endpoint ? ToDto(endpoint) : null;

    public async Task<(WebhookEndpointDto? Endpoint, WebhookError? Error)> CreateAsync(Guid userId, CreateWebhookRequest request, CancellationToken ct)
    {
        if (await CheckAsync(request.Url, request.Events, request.Description, required: true, ct) is { } error)
        {
            return (null, error);
        }

        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);
        if (await db.WebhookEndpoints.CountAsync(e => e.UserId == userId, ct) >= WebhookOptions.MaxEndpointsPerUser)
        {
            return (null, new WebhookError(WebhookErrorKind.Limit));
        }

        var secret = WebhookSecrets.NewSecret();
        var endpoint = new WebhookEndpoint
        {
            Id = Ids.New(),
            UserId = userId,
            Url = request.Url!,
            Events = string.Join(',', request.Events!.Distinct()),
            Description = request.Description,
            Enabled = true,
            CreatedAt = time.GetUtcNow().UtcDateTime,
            Secret = "",
        };
        endpoint.Secret = secrets.Encrypt(secret, userId);
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (ToDto(endpoint, secret), null);
    }

    public async Task<(WebhookEndpointDto? Endpoint, WebhookError? Error)> UpdateAsync(Guid userId, Guid id, UpdateWebhookRequest request, CancellationToken ct)
    {
        if (await FindAsync(userId, id, ct) is null)
        {
            return (null, new WebhookError(WebhookErrorKind.NotFound));
        }

        if (await CheckAsync(request.Url, request.Events, request.Description, required: false, ct) is { } error)
        {
            return (null, error);
        }

        var endpoint = await db.WebhookEndpoints.SingleAsync(e => e.Id == id && e.UserId == userId, ct);
        endpoint.Url = request.Url ?? endpoint.Url;
        endpoint.Events = request.Events is { } events ? string.Join(',', events.Distinct()) : endpoint.Events;
        endpoint.Description = request.Description ?? endpoint.Description;
        if (request.Enabled is { } enabled)
        {
            // Re-enabling starts a new failure streak.
            endpoint.Enabled = enabled;
            endpoint.DisabledReason = null;
            endpoint.FailingSince = enabled ? null : endpoint.FailingSince;
        }

        await db.SaveChangesAsync(ct);
        return (ToDto(endpoint), null);
    }

    public async Task<bool> DeleteAsync(Guid userId, Guid id, CancellationToken ct) =>
        await db.WebhookEndpoints.Where(e => e.Id == id && e.UserId == userId).ExecuteDeleteAsync(ct) > 0;

    /// <summary>A new secret; the old one signs too for <paramref name="overlapHours"/>.</summary>
    public async Task<string?> RotateAsync(Guid userId, Guid id, int overlapHours, CancellationToken ct)
    {
        var endpoint = await db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == id && e.UserId == userId, ct);
        if (endpoint is null)
        {
            return null;
        }

        var secret = WebhookSecrets.NewSecret();
        endpoint.PreviousSecret = overlapHours > 0 ? endpoint.Secret : null;
        endpoint.PreviousSecretUntil = overlapHours > 0 ? time.GetUtcNow().UtcDateTime.AddHours(overlapHours) : null;
        endpoint.Secret = secrets.Encrypt(secret, userId);
        await db.SaveChangesAsync(ct);
        return secret;
    }

    public async Task<Guid?> TestAsync(Guid userId, Guid id, CancellationToken ct)
    {
        if (await FindAsync(userId, id, ct) is not { } endpoint)
        {
            return null;
        }

        var delivery = publisher.Test(endpoint);
        await db.SaveChangesAsync(ct);
        signal.Wake();
        return delivery.Id;
    }

    public async Task<(List<WebhookDelivery>? Rows, bool Found)> DeliveriesAsync(Guid userId, Guid endpointId, Guid? after, int take, CancellationToken ct)
    {
        if (await FindAsync(userId, endpointId, ct) is null)
        {
            return (null, false);
        }

        var query = db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == endpointId && d.UserId == userId);
        if (after is { } cursor)
        {
            var at = await db.WebhookDeliveries.AsNoTracking().Where(d => d.Id == cursor && d.UserId == userId).Select(d => (DateTime?)d.CreatedAt).SingleOrDefaultAsync(ct);
            query = at is { } createdAt ? query.Where(d => d.CreatedAt < createdAt) : query.Where(d => false);
        }

        return (await query.OrderByDescending(d => d.CreatedAt).Take(take + 1).ToListAsync(ct), true);
    }

    /// <summary>Every delivery of one of the user's generations (to endpoints and to its own <c>webhook</c> URL), newest first; not found if it is not theirs.</summary>
    public async Task<(List<WebhookDelivery>? Rows, bool Found)> GenerationDeliveriesAsync(Guid userId, Guid generationId, Guid? after, int take, CancellationToken ct)
    {
        if (!await db.Jobs.AnyAsync(j => j.Id == generationId && j.UserId == userId, ct))
        {
            return (null, false);
        }

        var query = db.WebhookDeliveries.AsNoTracking().Where(d => d.GenerationId == generationId && d.UserId == userId);
        if (after is { } cursor)
        {
            var at = await query.Where(d => d.Id == cursor).Select(d => (DateTime?)d.CreatedAt).SingleOrDefaultAsync(ct);
            query = at is { } createdAt ? query.Where(d => d.CreatedAt < createdAt) : query.Where(d => false);
        }

        return (await query.OrderByDescending(d => d.CreatedAt).Take(take + 1).ToListAsync(ct), true);
    }

    public async Task<Guid?> RedeliverAsync(Guid userId, Guid deliveryId, CancellationToken ct)
    {
        var earlier = await db.WebhookDeliveries.AsNoTracking().SingleOrDefaultAsync(d => d.Id == deliveryId && d.UserId == userId, ct);
        if (earlier is null)
        {
            return null;
        }

        var delivery = publisher.Redeliver(earlier);
        await db.SaveChangesAsync(ct);
        signal.Wake();
        return delivery.Id;
    }

    public async Task<string> DefaultSecretAsync(Guid userId, bool rotate, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);
        var row = await publisher.DefaultSecretAsync(userId, ct);
        if (rotate)
        {
            // The old default secret keeps signing for a day, as an endpoint's does by default.
            var secret = WebhookSecrets.NewSecret();
            (row.PreviousSecret, row.PreviousSecretUntil) = (row.Secret, time.GetUtcNow().UtcDateTime.AddHours(24));
            row.Secret = secrets.Encrypt(secret, userId);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return secrets.Decrypt(row.Secret, userId);
    }

    private Task<WebhookEndpoint?> FindAsync(Guid userId, Guid id, CancellationToken ct) =>
        db.WebhookEndpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id && e.UserId == userId, ct);

    private async Task<WebhookError?> CheckAsync(string? url, IReadOnlyList<string>? events, string? description, bool required, CancellationToken ct)
    {
        if (required || events is not null)
        {
            if (events is null || events.Count == 0 || events.Any(e => !WebhookEvents.All.Contains(e)))
            {
                return new WebhookError(WebhookErrorKind.Invalid, "events", $"events must be a non-empty list of: {string.Join(", ", WebhookEvents.All)}.");
            }
        }

        if (description is { Length: > 200 })
        {
            return new WebhookError(WebhookErrorKind.Invalid, "description", "description is at most 200 characters.");
        }

        if (required || url is not null)
        {
            if (await targets.CheckAsync(url, ct) is { } refused)
            {
                return new WebhookError(WebhookErrorKind.Forbidden, "url", refused);
            }
        }

        return null;
    }

    private static WebhookEndpointDto ToDto(WebhookEndpoint e, string? secret = null) =>
        new(e.Id, e.Url, e.EventList, e.Description, e.Enabled, e.DisabledReason, e.CreatedAt, secret);
}
