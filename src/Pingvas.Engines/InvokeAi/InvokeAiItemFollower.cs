using System.Text.Json;

namespace Pingvas.Engines.InvokeAi;

/// <summary>What a finished item left: the node's view of it, the image our output node wrote, and the time spent loading models.</summary>
public sealed record InvokeAiItemOutcome(InvokeAiQueueItem Item, string ImageName, TimeSpan ModelLoadTime);

/// <summary>Progress of the running item as the node reports it: a fraction (null when indeterminate), a phase, a JPEG data URL.</summary>
public sealed record InvokeAiItemProgress(double? Percentage, string? Message, string? PreviewDataUrl)
{
    /// <summary>The graph node the progress is for (<c>invocation_source_id</c>), when the node says.</summary>
    public string? SourceId { get; init; }
}

/// <summary>
/// Follows one queue item to its end: socket events while they flow, the REST item whenever the
/// socket is down or has said nothing about the item for a while. Model-load time is the sum of
/// model_load_started → model_load_complete gaps while the item runs (a node runs one item at a time,
/// and the load events carry no item id).
/// </summary>
public sealed class InvokeAiItemFollower(InvokeAiClient client, InvokeAiEventStream events, InvokeAiOptions options, TimeProvider time)
{
    public async Task<InvokeAiItemOutcome> FollowAsync(
        int itemId,
        string outputNodeId,
        InvokeAiEventStream.Subscription subscription,
        Func<InvokeAiItemProgress, ValueTask> onProgress,
        CancellationToken ct)
    {
        var loadStarts = new Dictionary<string, long>(StringComparer.Ordinal);
        var modelLoad = TimeSpan.Zero;
        var running = false;
        string? imageName = null;
        while (true)
        {
            var wait = TimeSpan.FromSeconds(events.IsConnected ? options.SilentPollSeconds : options.PollSeconds);
            var e = await NextAsync(subscription, wait, ct);
            InvokeAiQueueItem? finished = null;
            if (e is null)
            {
                var item = await PollAsync(itemId, ct);
                running = item.Status == "in_progress";
                finished = item.IsFinished ? item : null;
            }
            else if (IsFor(e.Data, itemId))
            {
                switch (e.Name)
                {
                    case "invocation_started":
                        running = true;
                        break;
                    case "invocation_progress":
                        running = true;
                        await onProgress(new InvokeAiItemProgress(Number(e.Data, "percentage"), Text(e.Data, "message"), PreviewUrl(e.Data))
                        {
                            SourceId = Text(e.Data, "invocation_source_id"),
                        });
                        break;
                    case "invocation_complete" when Text(e.Data, "invocation_source_id") == outputNodeId:
                        imageName = OutputImage(e.Data) ?? imageName;
                        break;
                    case "queue_item_status_changed":
                        var status = Text(e.Data, "status");
                        running = status == "in_progress";
                        if (status is "completed" or "failed" or "canceled")
                        {
                            // The item itself carries the session results and the authoritative timestamps.
                            var item = await PollAsync(itemId, ct);
                            finished = item.IsFinished ? item : null;
                        }
                        break;
                }
            }
            else if (e.Name is "queue_items_canceled" or "queue_cleared")
            {
                var item = await PollAsync(itemId, ct);
                finished = item.IsFinished ? item : null;
            }
            else if (running && e.Name is "model_load_started" or "model_load_complete")
            {
                var key = LoadKey(e.Data);
                if (e.Name == "model_load_started")
                {
                    loadStarts[key] = time.GetTimestamp();
                }
                else if (loadStarts.Remove(key, out var started))
                {
                    modelLoad += time.GetElapsedTime(started);
                }
            }

            if (finished is not null)
            {
                return Finish(finished, outputNodeId, imageName, modelLoad);
            }
        }
    }

    private async Task<InvokeAiQueueItem> PollAsync(int itemId, CancellationToken ct) =>
        // Gone from the queue: the node restarted and cleared it (clear_queue_on_startup).
        await client.GetItemAsync(itemId, ct)
            ?? throw new RetryableEngineException("node_restarted", $"The node lost queue item {itemId}; it restarted.");

    private static InvokeAiItemOutcome Finish(InvokeAiQueueItem item, string outputNodeId, string? imageName, TimeSpan modelLoad)
    {
        switch (item.Status)
        {
            case "completed":
                var image = item.OutputImageName(outputNodeId) ?? imageName
                    ?? throw new InvokeAiNodeErrorException("no_output", $"Item {item.ItemId} completed without an image from {outputNodeId}.");
                // Loads are timed by the events' arrival, the run by the node's clock: a late event must
                // not make the loads longer than the run that held them.
                return new InvokeAiItemOutcome(item, image, item.ComputeTime > TimeSpan.Zero && modelLoad > item.ComputeTime ? item.ComputeTime : modelLoad);
            case "failed":
                throw new InvokeAiNodeErrorException(item.ErrorType, item.ErrorMessage);
            default:
                // We did not cancel it (our token would have fired first): a node restart cancels in-flight items.
                throw new RetryableEngineException("node_restarted", $"The node canceled queue item {item.ItemId} on its own; it restarted.");
        }
    }

    private async Task<SocketIoEvent?> NextAsync(InvokeAiEventStream.Subscription subscription, TimeSpan wait, CancellationToken ct)
    {
        if (subscription.Events.TryRead(out var ready))
        {
            return ready;
        }
        using var timeout = new CancellationTokenSource(wait, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            return await subscription.Events.ReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private static bool IsFor(JsonElement data, int itemId) =>
        data.ValueKind == JsonValueKind.Object
        && data.TryGetProperty("item_id", out var id)
        && id.ValueKind == JsonValueKind.Number
        && id.TryGetInt32(out var value)
        && value == itemId;

    private static string LoadKey(JsonElement data)
    {
        var key = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("config", out var config) ? Text(config, "key") : null;
        return $"{key}:{Text(data, "submodel_type")}";
    }

    private static string? OutputImage(JsonElement data) =>
        data.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Object
        && result.TryGetProperty("image", out var image) && image.ValueKind == JsonValueKind.Object
            ? Text(image, "image_name")
            : null;

    private static string? PreviewUrl(JsonElement data) =>
        data.TryGetProperty("image", out var image) && image.ValueKind == JsonValueKind.Object ? Text(image, "dataURL") : null;

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double? Number(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}
