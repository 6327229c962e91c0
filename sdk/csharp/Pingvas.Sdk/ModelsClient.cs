namespace Pingvas.Sdk;

/// <summary>The model catalog.</summary>
public sealed class ModelsClient
{
    private readonly PingvasClient client;

    internal ModelsClient(PingvasClient client) => this.client = client;

    /// <summary>Every model, with whether your plan includes it and whether a worker serves it now.</summary>
    public Task<IReadOnlyList<ModelInfo>> ListAsync(CancellationToken ct = default) =>
        client.SendAsync(new ApiRequest(Operations.ListModels), PingvasJsonContext.Default.IReadOnlyListModelInfo, ct);
}
