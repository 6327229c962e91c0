namespace Pingvas.Sdk;

/// <summary>
/// One call as the transport sends it, rebuilt for every attempt (an HttpRequestMessage cannot be sent twice).
/// <see cref="IdempotencyKey"/> is fixed per call, so every retry of a submit carries the same one.
/// </summary>
internal sealed record ApiRequest(Operation Operation)
{
    public string? Id { get; init; }

    /// <summary>Query parameters; null values are left out.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Query { get; init; } = [];

    /// <summary>Makes the body anew for each attempt.</summary>
    public Func<HttpContent>? Content { get; init; }

    public string? IdempotencyKey { get; init; }

    public string? LastEventId { get; init; }

    public string? Accept { get; init; }

    /// <summary>Hand back the answer as soon as its headers arrive (streams, downloads).</summary>
    public bool Streaming { get; init; }

    /// <summary>Safe to send again after a connection error: reads and deletes, and submits with an idempotency key.</summary>
    public bool Repeatable => Operation.Method is "GET" or "DELETE" || IdempotencyKey is not null;

    public string PathAndQuery()
    {
        var path = Operation.PathFor(Id);
        var parameters = Query.Where(q => q.Value is not null)
            .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value!)}")
            .ToList();
        return parameters.Count == 0 ? path : $"{path}?{string.Join('&', parameters)}";
    }
}
