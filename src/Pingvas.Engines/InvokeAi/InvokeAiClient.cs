using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using Microsoft.Extensions.Logging;

namespace Pingvas.Engines.InvokeAi;

/// <summary>
/// The node's REST routes the engine uses. Failures become what the worker acts on: a node that
/// cannot be reached, times out or answers 5xx is <c>node_unavailable</c> and 409 (image
/// maintenance) is <c>node_maintenance</c>, both retryable; 422 means our graph is wrong
/// (<see cref="InvokeAiRejectedException"/>, not retried).
/// </summary>
public sealed class InvokeAiClient(HttpClient http, ILogger logger)
{
    public const string QueueId = "default";

    public async Task<IReadOnlyList<InvokeAiModel>> GetModelsAsync(CancellationToken ct)
    {
        using var doc = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, "api/v2/models/"), ct);
        return doc.RootElement.GetProperty("models").EnumerateArray()
            .Select(InvokeAiModel.FromConfig)
            .OfType<InvokeAiModel>()
            .ToList();
    }

    /// <summary>Starts installing a model from <paramref name="source"/> (a URL) under <paramref name="name"/>; the node downloads and probes it in the background.</summary>
    public async Task<InvokeAiInstallJob> InstallModelAsync(string source, string name, CancellationToken ct)
    {
        var body = new JsonObject { ["name"] = name }.ToJsonString();
        using var doc = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, $"api/v2/models/install?source={Uri.EscapeDataString(source)}&inplace=false")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        }, ct);
        return InvokeAiInstallJob.Parse(doc.RootElement);
    }

    /// <summary>The install job, or null when the node no longer knows it (it restarted).</summary>
    public async Task<InvokeAiInstallJob?> GetInstallAsync(int installId, CancellationToken ct)
    {
        using var doc = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"api/v2/models/install/{installId}"), ct, allowNotFound: true);
        return doc is null ? null : InvokeAiInstallJob.Parse(doc.RootElement);
    }

    public async Task CancelInstallAsync(int installId, CancellationToken ct)
    {
        using var _ = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, $"api/v2/models/install/{installId}"), ct, allowNotFound: true);
    }

    /// <summary>Deletes an installed model and its files.</summary>
    public async Task DeleteModelAsync(string key, CancellationToken ct)
    {
        using var _ = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, $"api/v2/models/i/{Uri.EscapeDataString(key)}"), ct, allowNotFound: true);
    }

    /// <summary>Uploads an input image as an intermediate (hidden from the node's gallery); returns its image_name.</summary>
    public async Task<string> UploadAsync(byte[] bytes, string contentType, string category, CancellationToken ct)
    {
        var extension = contentType switch { "image/jpeg" => "jpg", "image/webp" => "webp", _ => "png" };
        using var doc = await SendAsync(() =>
        {
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            var form = new MultipartFormDataContent { { file, "file", $"pingvas.{extension}" } };
            return new HttpRequestMessage(HttpMethod.Post, $"api/v1/images/upload?image_category={category}&is_intermediate=true") { Content = form };
        }, ct);
        return doc.RootElement.GetProperty("image_name").GetString()
            ?? throw new RetryableEngineException("node_unavailable", "The node's upload answer had no image name.");
    }

    public async Task<InvokeAiEnqueued> EnqueueAsync(JsonObject batch, CancellationToken ct)
    {
        var body = new JsonObject { ["prepend"] = false, ["batch"] = batch }.ToJsonString();
        using var doc = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, $"api/v1/queue/{QueueId}/enqueue_batch")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        }, ct);
        var root = doc.RootElement;
        var ids = root.GetProperty("item_ids").EnumerateArray().Select(i => i.GetInt32()).ToList();
        return new InvokeAiEnqueued(root.GetProperty("enqueued").GetInt32(), root.GetProperty("requested").GetInt32(), ids);
    }

    /// <summary>The queue item, or null when the node no longer has it (its queue was cleared on restart).</summary>
    public async Task<InvokeAiQueueItem?> GetItemAsync(int itemId, CancellationToken ct)
    {
        using var doc = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"api/v1/queue/{QueueId}/i/{itemId}"), ct, allowNotFound: true);
        return doc is null ? null : InvokeAiQueueItem.Parse(doc.RootElement.Clone());
    }

    public async Task CancelItemAsync(int itemId, CancellationToken ct)
    {
        using var _ = await SendAsync(() => new HttpRequestMessage(HttpMethod.Put, $"api/v1/queue/{QueueId}/i/{itemId}/cancel"), ct, allowNotFound: true);
    }

    /// <summary>Cancels every unfinished item sent for <paramref name="destination"/> (our job id).</summary>
    public async Task CancelByDestinationAsync(string destination, CancellationToken ct)
    {
        using var _ = await SendAsync(() => new HttpRequestMessage(HttpMethod.Put,
            $"api/v1/queue/{QueueId}/cancel_by_destination?destination={Uri.EscapeDataString(destination)}"), ct, allowNotFound: true);
    }

    public async Task DeleteItemAsync(int itemId, CancellationToken ct)
    {
        using var _ = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, $"api/v1/queue/{QueueId}/i/{itemId}"), ct, allowNotFound: true);
    }

    /// <summary>The full-size image; the node always serves it as PNG.</summary>
    public async Task<byte[]> GetFullImageAsync(string imageName, CancellationToken ct)
    {
        using var response = await SendRawAsync(
            () => new HttpRequestMessage(HttpMethod.Get, $"api/v1/images/i/{Uri.EscapeDataString(imageName)}/full"), ct);
        await EnsureSuccessAsync(response, ct);
        return await response.Content.ReadAsByteArrayAsync(ct);
    }

    public async Task DeleteImagesAsync(IReadOnlyCollection<string> imageNames, CancellationToken ct)
    {
        var body = new JsonObject { ["image_names"] = new JsonArray(imageNames.Select(n => (JsonNode)n).ToArray()) }.ToJsonString();
        using var _ = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, "api/v1/images/delete")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        }, ct);
    }

    private async Task<JsonDocument> SendAsync(Func<HttpRequestMessage> request, CancellationToken ct) =>
        (await SendAsync(request, ct, allowNotFound: false))!;

    private async Task<JsonDocument?> SendAsync(Func<HttpRequestMessage> request, CancellationToken ct, bool allowNotFound)
    {
        using var response = await SendRawAsync(request, ct);
        if (allowNotFound && response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        await EnsureSuccessAsync(response, ct);
        try
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            return JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "null" : text);
        }
        catch (JsonException ex)
        {
            throw new RetryableEngineException("node_unavailable", $"The node at {Host} answered with invalid JSON.", ex);
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(Func<HttpRequestMessage> request, CancellationToken ct)
    {
        using var message = request();
        try
        {
            return await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, ct);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new RetryableEngineException("node_unavailable", $"The node at {Host} did not answer in time.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new RetryableEngineException("node_unavailable", $"The node at {Host} cannot be reached.", ex);
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var detail = await ReadDetailAsync(response, ct);
        var path = response.RequestMessage?.RequestUri?.AbsolutePath;
        switch ((int)response.StatusCode)
        {
            case 409:
                throw new RetryableEngineException("node_maintenance", $"The node at {Host} is in maintenance (409 on {path}).");
            case 400 or 422:
                // Our request does not fit the node's schema: a bug on our side, another attempt would fail the same way.
                logger.LogError("InvokeAI node {Node} rejected {Path} with {Status}: {Detail}", Host, path, (int)response.StatusCode, detail);
                throw new InvokeAiRejectedException((int)response.StatusCode, path, detail);
            default:
                logger.LogWarning("InvokeAI node {Node} answered {Status} on {Path}: {Detail}", Host, (int)response.StatusCode, path, detail);
                throw new RetryableEngineException("node_unavailable", $"The node at {Host} answered {(int)response.StatusCode} on {path}.");
        }
    }

    private static async Task<string> ReadDetailAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            return text.Length > 2000 ? text[..2000] : text;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return string.Empty;
        }
    }

    private string Host => http.BaseAddress?.Authority ?? "?";
}

/// <summary>A model install job (<c>ModelInstallJob</c>): its status, and once completed the installed model.</summary>
public sealed record InvokeAiInstallJob(int Id, string Status, InvokeAiModel? Installed, string? Error)
{
    public static InvokeAiInstallJob Parse(JsonElement job)
    {
        var installed = job.TryGetProperty("config_out", out var config) ? InvokeAiModel.FromConfig(config) : null;
        var error = job.TryGetProperty("error_reason", out var reason) && reason.ValueKind == JsonValueKind.String ? reason.GetString()
            : job.TryGetProperty("error", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : null;
        var status = job.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "waiting";
        return new InvokeAiInstallJob(job.GetProperty("id").GetInt32(), status, installed, error);
    }
}

public sealed record InvokeAiEnqueued(int Enqueued, int Requested, IReadOnlyList<int> ItemIds);

/// <summary>The node refused a request as malformed (422): our graph or body is wrong. Not retried.</summary>
public sealed class InvokeAiRejectedException(int status, string? path, string detail)
    : Exception($"The InvokeAI node rejected {path} with {status}.")
{
    public int Status { get; } = status;

    public string Detail { get; } = detail;
}

/// <summary>The node ran the graph and an invocation failed (invocation_error / status failed). Not retried.</summary>
public sealed class InvokeAiNodeErrorException(string? errorType, string? errorMessage)
    : Exception($"The InvokeAI node failed the job: {errorType}: {errorMessage}")
{
    public string? ErrorType { get; } = errorType;
}
