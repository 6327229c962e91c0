namespace Pingvas.Server.Developer;

/// <summary>A user's API key: the lookup id and the SHA-256 (hex) of the whole key, never the key itself.</summary>
public sealed class ApiKey
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required string Name { get; set; }

    public required string LookupId { get; set; }

    public required string KeyHash { get; set; }

    /// <summary>Space-separated <see cref="ApiScopes"/>.</summary>
    public required string Scopes { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? ExpiresAt { get; set; }

    public DateTime? LastUsedAt { get; set; }

    public string? LastUsedIp { get; set; }

    public DateTime? RevokedAt { get; set; }
}

/// <summary>Key-submitted generations of a user in one calendar month (UTC), <c>period</c> "yyyy-MM".</summary>
public sealed class ApiUsage
{
    public Guid UserId { get; set; }

    public required string Period { get; set; }

    public int Calls { get; set; }
}

/// <summary>Key-submitted generations of one key on one UTC day ("yyyy-MM-dd"), for the usage chart.</summary>
public sealed class ApiKeyDay
{
    public Guid KeyId { get; set; }

    public required string Day { get; set; }

    public Guid UserId { get; set; }

    public int Calls { get; set; }
}
