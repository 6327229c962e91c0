using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Catalog;
using Pingvas.Server.Data;

namespace Pingvas.Server.Developer;

public enum ApiKeyProblem
{
    Invalid,
    PlanForbidsApi,
    Limit,
}

/// <summary>The key use cases behind <c>/api/v1/keys</c>: create (shown once), list, revoke, usage.</summary>
public sealed class ApiKeyService(PingvasDb db, CatalogCache catalogs, TimeProvider time)
{
    public const int MaxLiveKeysPerUser = 20;
    public const int MaxNameLength = 60;

    public async Task<(CreatedApiKeyDto? Key, ApiKeyProblem? Problem, Dictionary<string, string[]>? Errors)> CreateAsync(
        Guid userId, CreateApiKeyRequest request, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > MaxNameLength)
        {
            errors["name"] = [$"name must have 1 to {MaxNameLength} characters."];
        }

        var scopes = request.Scopes ?? [];
        if (scopes.Count == 0 || scopes.Any(s => !ApiScopes.All.Contains(s)))
        {
            errors["scopes"] = [$"scopes must be a non-empty subset of {string.Join(", ", ApiScopes.All)}."];
        }

        if (request.ExpiresAt is { } expires && expires.ToUniversalTime() <= now)
        {
            errors["expiresAt"] = ["expiresAt must be in the future."];
        }

        if (errors.Count > 0)
        {
            return (null, ApiKeyProblem.Invalid, errors);
        }

        await using var tx = await db.BeginWriteAsync(ct);
        await Transactions.LockUserAsync(db, userId, ct);
        if (await ApiCallsPerMonthAsync(userId, ct) == 0)
        {
            return (null, ApiKeyProblem.PlanForbidsApi, null);
        }

        var live = await db.Set<ApiKey>().CountAsync(k => k.UserId == userId && k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now), ct);
        if (live >= MaxLiveKeysPerUser)
        {
            return (null, ApiKeyProblem.Limit, null);
        }

        var (secret, lookup, hash) = ApiKeyFormat.New();
        var key = new ApiKey
        {
            Id = Ids.New(),
            UserId = userId,
            Name = name,
            LookupId = lookup,
            KeyHash = hash,
            Scopes = string.Join(' ', ApiScopes.All.Where(scopes.Contains)),
            CreatedAt = Truncate(now),
            ExpiresAt = request.ExpiresAt is { } e ? Truncate(e.ToUniversalTime()) : null,
        };
        db.Add(key);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        var dto = ApiKeyDto.From(key);
        return (new CreatedApiKeyDto(dto.Id, dto.Name, dto.Prefix, dto.Scopes, dto.CreatedAt, dto.ExpiresAt, null, null, null, false, secret), null, null);
    }

    /// <summary>Newest first, revoked ones too.</summary>
    public async Task<ApiKeyList> ListAsync(Guid userId, CancellationToken ct) =>
        new([.. (await db.Set<ApiKey>().AsNoTracking().Where(k => k.UserId == userId).ToListAsync(ct))
            .OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id).Select(ApiKeyDto.From)]);

    /// <summary>Revokes the owner's key (kept, flagged); false when the owner has no such key.</summary>
    public async Task<bool> RevokeAsync(Guid userId, Guid id, CancellationToken ct)
    {
        var now = Truncate(time.GetUtcNow().UtcDateTime);
        if (!await db.Set<ApiKey>().AnyAsync(k => k.Id == id && k.UserId == userId, ct))
        {
            return false;
        }

        await db.Set<ApiKey>().Where(k => k.Id == id && k.UserId == userId && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), ct);
        return true;
    }

    public async Task<ApiUsageDto> UsageAsync(Guid userId, int days, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var period = ApiPeriod.Of(now);
        var limit = await ApiCallsPerMonthAsync(userId, ct);
        var used = await db.Set<ApiUsage>().AsNoTracking().Where(u => u.UserId == userId && u.Period == period)
            .Select(u => (int?)u.Calls).SingleOrDefaultAsync(ct) ?? 0;
        var from = ApiPeriod.DayOf(now.Date.AddDays(1 - days));
        var rows = await db.Set<ApiKeyDay>().AsNoTracking().Where(d => d.UserId == userId && string.Compare(d.Day, from) >= 0).ToListAsync(ct);
        var start = ApiPeriod.StartOf(now);
        var reset = ApiPeriod.ResetAt(now);
        return new ApiUsageDto(
            new ApiUsagePeriod(start, reset, limit, used, limit is { } max ? Math.Max(0, max - used) : null, reset),
            [.. rows.OrderBy(d => d.Day, StringComparer.Ordinal).ThenBy(d => d.KeyId).Select(d => new ApiUsageDay(d.Day, d.KeyId, d.Calls))]);
    }

    private async Task<int?> ApiCallsPerMonthAsync(Guid userId, CancellationToken ct)
    {
        var planId = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.PlanId).SingleAsync(ct);
        var catalog = await catalogs.GetAsync(db, ct);
        if (!catalog.Plans.ContainsKey(planId))
        {
            catalog = await catalogs.GetAsync(db, ct, reload: true);
        }

        return catalog.Plans[planId].ApiCallsPerMonth;
    }

    /// <summary>Microseconds, as PostgreSQL stores them.</summary>
    private static DateTime Truncate(DateTime t) => t.AddTicks(-(t.Ticks % 10));
}
