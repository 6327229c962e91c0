using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pingvas.Engines.Relay;

/// <summary>
/// Google's Gemini image models ("nano-banana") through the documented REST call
/// <c>POST {base}/v1beta/models/{model}:generateContent</c> with the key in <c>x-goog-api-key</c>.
/// The image comes back as a base64 <c>inlineData</c> part; <c>usageMetadata</c> gives the tokens
/// it is billed by. A blocked prompt is a 200 with <c>promptFeedback.blockReason</c> or a
/// candidate whose <c>finishReason</c> names a policy: that is a refusal, not an error.
/// </summary>
public sealed class GeminiProvider(HttpClient http, RelayProviderOptions options) : IRelayProvider
{
    public static readonly string[] AspectRatios = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"];

    /// <summary>Finish reasons that mean the model would not draw this prompt.</summary>
    private static readonly HashSet<string> RefusalReasons = new(StringComparer.Ordinal)
    {
        "SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION",
    };

    public string Name => "gemini";

    /// <summary>Published output price, USD per million tokens (an image is 1,290 tokens), to turn usageMetadata into dollars.</summary>
    public decimal OutputUsdPerMillionTokens { get; init; } = 30m;

    /// <summary>Published input price, USD per million tokens (text prompt).</summary>
    public decimal InputUsdPerMillionTokens { get; init; } = 0.30m;

    public async Task<RelayImage> GenerateAsync(EngineJob job, long seed, CancellationToken cancellationToken)
    {
        var body = new GenerateContentRequest(
            [new Content([new Part(Prompt(job))])],
            new GenerationConfig(["IMAGE"], new ImageConfig(Relay.AspectRatios.Closest(job.Width, job.Height, AspectRatios))));
        using var request = new HttpRequestMessage(HttpMethod.Post, RelayHttp.Endpoint(options.BaseUrl, $"v1beta/models/{Uri.EscapeDataString(options.Model)}:generateContent"))
        {
            Content = JsonContent.Create(body, options: Json),
        };
        request.Headers.Add("x-goog-api-key", options.ApiKey);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var bytes = await RelayHttp.ReadBoundedAsync(response.Content, options.MaxImageBytes * 2, Name, cancellationToken).ConfigureAwait(false);
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        if (!response.IsSuccessStatusCode)
        {
            throw RelayHttp.Failure(Name, response, text, refused: false);
        }

        var answer = Parse(text);
        if (answer.PromptFeedback?.BlockReason is { } blocked)
        {
            throw new ProviderException(ProviderFailure.Refused, $"gemini blocked the prompt ({blocked}).");
        }

        var candidate = answer.Candidates?.FirstOrDefault();
        var image = candidate?.Content?.Parts?.Select(p => p.InlineData).FirstOrDefault(d => d is { Data.Length: > 0 });
        if (image is null)
        {
            if (candidate?.FinishReason is { } reason && RefusalReasons.Contains(reason))
            {
                throw new ProviderException(ProviderFailure.Refused, $"gemini stopped with {reason}.");
            }

            // The model answered in text only (it sometimes does); another attempt usually draws.
            throw new ProviderException(ProviderFailure.Transient, $"gemini returned no image (finishReason {candidate?.FinishReason ?? "none"}).");
        }

        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(image.Data!);
        }
        catch (FormatException ex)
        {
            throw new ProviderException(ProviderFailure.Transient, "gemini returned image data that is not base64.", inner: ex);
        }

        return new RelayImage(decoded, Cost(answer.UsageMetadata));
    }

    /// <summary>Gemini has no negative prompt field: the wish goes into the text.</summary>
    private static string Prompt(EngineJob job) =>
        string.IsNullOrWhiteSpace(job.NegativePrompt) ? job.Prompt : $"{job.Prompt}\n\nAvoid: {job.NegativePrompt}";

    private decimal? Cost(UsageMetadata? usage) =>
        usage is { CandidatesTokenCount: > 0 }
            ? ((usage.PromptTokenCount * InputUsdPerMillionTokens) + (usage.CandidatesTokenCount * OutputUsdPerMillionTokens)) / 1_000_000m
            : null;

    private static GenerateContentResponse Parse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<GenerateContentResponse>(text, Json) ?? throw new JsonException("null");
        }
        catch (JsonException ex)
        {
            throw new ProviderException(ProviderFailure.Transient, "gemini returned a body that is not a generateContent response.", inner: ex);
        }
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private sealed record GenerateContentRequest(IReadOnlyList<Content> Contents, GenerationConfig GenerationConfig);

    private sealed record Content(IReadOnlyList<Part> Parts);

    private sealed record Part(string Text);

    private sealed record GenerationConfig(IReadOnlyList<string> ResponseModalities, ImageConfig ImageConfig);

    private sealed record ImageConfig(string AspectRatio);

    private sealed record GenerateContentResponse(IReadOnlyList<Candidate>? Candidates, PromptFeedback? PromptFeedback, UsageMetadata? UsageMetadata);

    private sealed record Candidate(CandidateContent? Content, string? FinishReason);

    private sealed record CandidateContent(IReadOnlyList<ResponsePart>? Parts);

    private sealed record ResponsePart(string? Text, InlineData? InlineData);

    private sealed record InlineData(string? MimeType, string? Data);

    private sealed record PromptFeedback(string? BlockReason);

    private sealed record UsageMetadata(int PromptTokenCount, int CandidatesTokenCount, int TotalTokenCount);
}
