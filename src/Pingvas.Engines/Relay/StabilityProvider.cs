using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Pingvas.Engines.Relay;

/// <summary>
/// Stability AI's v2beta Stable Image generate endpoints (<c>POST {base}/v2beta/stable-image/generate/{endpoint}</c>),
/// multipart form fields, <c>authorization: Bearer</c>, <c>accept: image/*</c> so the image comes back as
/// raw bytes with <c>finish-reason</c> and <c>seed</c> headers. A 403 from the moderation system, or a
/// <c>CONTENT_FILTERED</c> finish reason (a blurred image), is a refusal; 402 means our account is out of credit.
/// </summary>
public sealed class StabilityProvider(HttpClient http, RelayProviderOptions options) : IRelayProvider
{
    public static readonly string[] AspectRatios = ["16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21"];

    public string Name => "stability";

    /// <summary>Which endpoint serves <see cref="RelayProviderOptions.Model"/>: <c>core</c> and <c>ultra</c> are their own, every SD3 model goes to <c>sd3</c>.</summary>
    public static string EndpointFor(string model) => model switch
    {
        "core" or "ultra" => model,
        _ => "sd3",
    };

    public async Task<RelayImage> GenerateAsync(EngineJob job, long seed, CancellationToken cancellationToken)
    {
        var endpoint = EndpointFor(options.Model);
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(job.Prompt), "prompt");
        if (!string.IsNullOrWhiteSpace(job.NegativePrompt))
        {
            form.Add(new StringContent(job.NegativePrompt), "negative_prompt");
        }

        form.Add(new StringContent(Relay.AspectRatios.Closest(job.Width, job.Height, AspectRatios)), "aspect_ratio");
        // The API takes seeds in [0, 4294967294].
        form.Add(new StringContent((seed % 4_294_967_295L).ToString(CultureInfo.InvariantCulture)), "seed");
        form.Add(new StringContent("png"), "output_format");
        if (endpoint == "sd3")
        {
            form.Add(new StringContent(options.Model), "model");
            form.Add(new StringContent("text-to-image"), "mode");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, RelayHttp.Endpoint(options.BaseUrl, $"v2beta/stable-image/generate/{endpoint}")) { Content = form };
        request.Headers.Authorization = RelayHttp.Bearer(options.ApiKey!);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("image/*"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var bytes = await RelayHttp.ReadBoundedAsync(response.Content, options.MaxImageBytes, Name, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var text = Encoding.UTF8.GetString(bytes);
            throw RelayHttp.Failure(Name, response, text, refused: IsModeration(response, text));
        }

        var finish = response.Headers.TryGetValues("finish-reason", out var values) ? values.FirstOrDefault() : null;
        if (finish == "CONTENT_FILTERED")
        {
            throw new ProviderException(ProviderFailure.Refused, "stability filtered the image (CONTENT_FILTERED).");
        }

        return new RelayImage(bytes, null);
    }

    /// <summary>Stability answers a moderated prompt with 403 and an error body named <c>content_moderation</c>.</summary>
    private static bool IsModeration(HttpResponseMessage response, string text)
    {
        if (response.StatusCode != System.Net.HttpStatusCode.Forbidden)
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.TryGetProperty("name", out var name) && name.GetString() == "content_moderation";
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
