using System.Globalization;

namespace Pingvas.Sdk;

/// <summary>Submit, read, list, cancel and follow generations.</summary>
public sealed class GenerationsClient
{
    private readonly PingvasClient client;

    internal GenerationsClient(PingvasClient client) => this.client = client;

    private static PingvasJsonContext Json => PingvasJsonContext.Default;

    /// <summary>
    /// Submits a generation (202, <c>queued</c>). An <c>Idempotency-Key</c> is made per call (or use
    /// <paramref name="idempotencyKey"/>) and sent with each retry, so a retried submit never queues twice.
    /// </summary>
    public Task<Generation> CreateAsync(GenerationRequest request, CancellationToken ct = default, string? idempotencyKey = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        return client.SendAsync(
            new ApiRequest(Operations.CreateGeneration)
            {
                Content = PingvasClient.Json(request, Json.GenerationRequest),
                IdempotencyKey = idempotencyKey ?? Guid.NewGuid().ToString("N"),
            },
            Json.Generation,
            ct);
    }

    /// <summary>What a submit would cost and whether it would be taken now; nothing is queued.</summary>
    public Task<GenerationEstimate> EstimateAsync(GenerationRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return client.SendAsync(
            new ApiRequest(Operations.EstimateGeneration) { Content = PingvasClient.Json(request, Json.GenerationRequest) },
            Json.GenerationEstimate,
            ct);
    }

    public Task<Generation> GetAsync(Guid id, CancellationToken ct = default) =>
        client.SendAsync(new ApiRequest(Operations.GetGeneration) { Id = id.ToString() }, Json.Generation, ct);

    /// <summary>Asks to cancel: a queued job at once (refunded), a running one at its next step. Answers the job as it is now.</summary>
    public Task<Generation> CancelAsync(Guid id, CancellationToken ct = default) =>
        client.SendAsync(new ApiRequest(Operations.CancelGeneration) { Id = id.ToString() }, Json.Generation, ct);

    /// <summary>One page of your generations, newest first.</summary>
    public Task<Page<Generation>> ListPageAsync(string? status = null, string? cursor = null, int? limit = null, CancellationToken ct = default) =>
        client.SendAsync(
            new ApiRequest(Operations.ListGenerations)
            {
                Query = [new("status", status), new("cursor", cursor), new("limit", limit?.ToString(CultureInfo.InvariantCulture))],
            },
            Json.PageGeneration,
            ct);

    /// <summary>All your generations (optionally of one status), newest first, page after page.</summary>
    public IAsyncEnumerable<Generation> ListAsync(string? status = null, int? pageSize = null, CancellationToken ct = default) =>
        client.PagesAsync((cursor, token) => ListPageAsync(status, cursor, pageSize, token), ct);

    /// <summary>
    /// The generation's events (<c>GET /generations/{id}/events</c>): its current state first, then each
    /// change, ending after the final one. A dropped stream is reopened with <c>Last-Event-ID</c>.
    /// </summary>
    public IAsyncEnumerable<GenerationEvent> StreamEventsAsync(Guid id, CancellationToken ct = default) =>
        new EventStream(client.Transport, Operations.StreamGenerationEvents, id.ToString(), null, stopAtFinal: true).ReadAsync(ct);

    /// <summary>
    /// Events of all your generations, live, until cancelled. With <paramref name="lastEventId"/> (an
    /// earlier event's <see cref="GenerationEvent.Id"/>) the current state of each one that changed since comes first.
    /// </summary>
    public IAsyncEnumerable<GenerationEvent> StreamAllEventsAsync(string? lastEventId = null, CancellationToken ct = default) =>
        new EventStream(client.Transport, Operations.StreamAllGenerationEvents, null, lastEventId, stopAtFinal: false).ReadAsync(ct);

    /// <summary>Waits for the generation's final state (succeeded, failed or cancelled), telling <paramref name="progress"/> each event.</summary>
    public async Task<Generation> WaitAsync(Guid id, IProgress<GenerationEvent>? progress = null, CancellationToken ct = default)
    {
        await foreach (var e in StreamEventsAsync(id, ct).ConfigureAwait(false))
        {
            progress?.Report(e);
            if (e.IsTerminal)
            {
                return e.Generation;
            }
        }

        // The stream ends only after the final event; should it not, the resource has the answer.
        return await GetAsync(id, ct).ConfigureAwait(false);
    }

    /// <summary>Submits and waits: <see cref="CreateAsync"/> then <see cref="WaitAsync"/>.</summary>
    public async Task<Generation> RunAsync(GenerationRequest request, IProgress<GenerationEvent>? progress = null, CancellationToken ct = default)
    {
        var queued = await CreateAsync(request, ct).ConfigureAwait(false);
        return await WaitAsync(queued.Id, progress, ct).ConfigureAwait(false);
    }
}
