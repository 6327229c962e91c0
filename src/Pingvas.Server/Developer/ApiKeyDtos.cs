namespace Pingvas.Server.Developer;

public sealed record CreateApiKeyRequest(string? Name, IReadOnlyList<string>? Scopes, DateTime? ExpiresAt);

/// <summary>A key as listed; <see cref="Key"/> is set only in the creation answer.</summary>
public sealed record ApiKeyDto(
    Guid Id, string Name, string Prefix, IReadOnlyList<string> Scopes, DateTime CreatedAt, DateTime? ExpiresAt,
    DateTime? LastUsedAt, string? LastUsedIp, DateTime? RevokedAt, bool Revoked)
{
    public static ApiKeyDto From(ApiKey key) => new(
        key.Id, key.Name, ApiKeyFormat.VisiblePrefix(key.LookupId), key.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        key.CreatedAt, key.ExpiresAt, key.LastUsedAt, key.LastUsedIp, key.RevokedAt, key.RevokedAt is not null);
}

/// <summary>The creation answer: the listed fields plus the key itself, shown this once.</summary>
public sealed record CreatedApiKeyDto(
    Guid Id, string Name, string Prefix, IReadOnlyList<string> Scopes, DateTime CreatedAt, DateTime? ExpiresAt,
    DateTime? LastUsedAt, string? LastUsedIp, DateTime? RevokedAt, bool Revoked, string Key);

public sealed record ApiKeyList(IReadOnlyList<ApiKeyDto> Items);

/// <summary>The period's quota; <c>Limit</c> and <c>Remaining</c> null on unlimited plans.</summary>
public sealed record ApiUsagePeriod(DateTime Start, DateTime End, int? Limit, int Used, int? Remaining, DateTime ResetAt);

public sealed record ApiUsageDay(string Date, Guid KeyId, int Calls);

public sealed record ApiUsageDto(ApiUsagePeriod Period, IReadOnlyList<ApiUsageDay> Days);
