using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Pingvas.Engines.Relay;

/// <summary>
/// Replicate's predictions API: <c>POST {base}/v1/models/{owner}/{name}/predictions</c> with
/// <c>Prefer: wait</c> (the answer holds the result when it is ready within the wait), then polling
/// <c>urls.get</c> until the prediction succeeds, fails or is canceled, and downloading the output
/// file. Every provider-supplied URL is checked: polls and cancels only to the API's own origin,
/// downloads only through <see cref="DownloadGuard"/>. A stopped run cancels its prediction.
/// </summary>
public sealed class ReplicateProvider(HttpClient api, HttpClient downloads, DownloadGuard guard, RelayProviderOptions options, TimeProvider time) : IRelayProvider
{
    public static readonly string[] AspectRatios = ["1:1", "16:9", "3:2", "2:3", "4:5", "5:4", "9:16", "3:4", "4:3"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Name => "replicate";

    public async Task<RelayImage> GenerateAsync(EngineJob job, long seed, CancellationToken cancellationToken)
    {
        var prediction = await CreateAsync(job, seed, cancellationToken).ConfigureAwait(false);
        try
        {
            while (prediction.Status is "starting" or "processing")
            {
                await Task.Delay(TimeSpan.FromMilliseconds(options.PollIntervalMs), time, cancellationToken).ConfigureAwait(false);
                prediction = await PollAsync(prediction, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            await CancelAsync(prediction).ConfigureAwait(false);
            throw;
        }

        return prediction.Status switch
        {
            "succeeded" => new RelayImage(await DownloadAsync(prediction, cancellationToken).ConfigureAwait(false), null),
            "failed" when IsRefusal(prediction.Error) => throw new ProviderException(ProviderFailure.Refused, $"replicate refused: {RelayHttp.Excerpt(prediction.Error!)}"),
            "failed" => throw new ProviderException(ProviderFailure.Transient, $"replicate prediction failed: {RelayHttp.Excerpt(prediction.Error ?? "no error text")}"),
            _ => throw new ProviderException(ProviderFailure.Transient, $"replicate prediction ended {prediction.Status}."),
        };
    }

    private async Task<Prediction> CreateAsync(EngineJob job, long seed, CancellationToken ct)
    {
        var input = new Dictionary<string, object>
        {
            ["prompt"] = job.Prompt,
            ["aspect_ratio"] = Relay.AspectRatios.Closest(job.Width, job.Height, AspectRatios),
            ["output_format"] = "png",
            ["seed"] = seed % int.MaxValue,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, RelayHttp.Endpoint(options.BaseUrl, $"v1/models/{options.Model}/predictions"))
        {
            Content = JsonContent.Create(new { input }, options: Json),
        };
        request.Headers.Authorization = RelayHttp.Bearer(options.ApiKey!);
        // Hold the answer open until the prediction ends, up to 60 s (the API's maximum).
        var wait = (int)Math.Clamp(options.TimeoutSeconds, 1, 60);
        request.Headers.Add("Prefer", $"wait={wait}");
        return await SendAsync(request, ct).ConfigureAwait(false);
    }

    private async Task<Prediction> PollAsync(Prediction prediction, CancellationToken ct)
    {
        var url = SameOrigin(prediction.Urls?.Get, "urls.get");
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = RelayHttp.Bearer(options.ApiKey!);
        return await SendAsync(request, ct).ConfigureAwait(false);
    }

    /// <summary>Best effort, bounded: a prediction we no longer wait for should not keep running (and billing).</summary>
    private async Task CancelAsync(Prediction prediction)
    {
        try
        {
            var url = SameOrigin(prediction.Urls?.Cancel, "urls.cancel");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var request = new HttpRequestMessage(HttpMethod.Post, url);
            request.Headers.Authorization = RelayHttp.Bearer(options.ApiKey!);
            using var response = await api.SendAsync(request, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or ProviderException)
        {
            // The prediction ends on its own; nothing else to do.
        }
    }

    private async Task<Prediction> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var response = await api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        var bytes = await RelayHttp.ReadBoundedAsync(response.Content, 1024 * 1024, Name, ct).ConfigureAwait(false);
        var text = Encoding.UTF8.GetString(bytes);
        if (!response.IsSuccessStatusCode)
        {
            throw RelayHttp.Failure(Name, response, text, refused: false);
        }

        try
        {
            return JsonSerializer.Deserialize<Prediction>(text, Json) ?? throw new JsonException("null");
        }
        catch (JsonException ex)
        {
            throw new ProviderException(ProviderFailure.Transient, "replicate returned a body that is not a prediction.", inner: ex);
        }
    }

    private async Task<byte[]> DownloadAsync(Prediction prediction, CancellationToken ct)
    {
        var first = prediction.Output switch
        {
            { ValueKind: JsonValueKind.String } one => one.GetString(),
            { ValueKind: JsonValueKind.Array } many when many.GetArrayLength() > 0 => many[0].GetString(),
            _ => null,
        };
        if (!Uri.TryCreate(first, UriKind.Absolute, out var url) || !guard.IsAllowed(url))
        {
            throw new ProviderException(ProviderFailure.Rejected, "replicate output is not a URL on an allowed download host.");
        }

        try
        {
            using var response = await downloads.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw RelayHttp.Failure(Name, response, "output download failed", refused: false);
            }

            return await RelayHttp.ReadBoundedAsync(response.Content, options.MaxImageBytes, Name, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.InnerException is DownloadRefusedException refused)
        {
            throw new ProviderException(ProviderFailure.Rejected, $"replicate output download refused: {refused.Message}", inner: ex);
        }
    }

    /// <summary>Polls and cancels go to the API we were configured with, never to a host the answer names.</summary>
    private Uri SameOrigin(string? url, string field)
    {
        var api = new Uri(options.BaseUrl);
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == api.Scheme && uri.Host == api.Host && uri.Port == api.Port)
        {
            return uri;
        }

        throw new ProviderException(ProviderFailure.Rejected, $"replicate {field} is not on the API's origin.");
    }

    /// <summary>Replicate's safety checker fails a prediction with an error that names NSFW or sensitive content.</summary>
    private static bool IsRefusal(string? error) =>
        error is not null && (error.Contains("NSFW", StringComparison.OrdinalIgnoreCase)
            || error.Contains("sensitive", StringComparison.OrdinalIgnoreCase)
            || error.Contains("safety", StringComparison.OrdinalIgnoreCase));

    private sealed record Prediction(string? Id, string Status, JsonElement Output, string? Error, PredictionUrls? Urls);

    private sealed record PredictionUrls(string? Get, string? Cancel);
}
