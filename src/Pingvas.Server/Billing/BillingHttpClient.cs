using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Pingvas.Server.Billing;

/// <summary>
/// One call to a payment provider's API: any failure (non-2xx, timeout, unreachable, a body that is
/// not the JSON we expect) becomes a <see cref="BillingProviderException"/> whose message carries the
/// status and the provider's error code, never a key (keys are cut out of anything the provider echoes).
/// </summary>
public static partial class BillingHttpClient
{
    /// <summary>How long a provider call may take before the customer gets 502 instead of a spinner.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <param name="describeError">Turns the provider's error body into a short description (its error code and message).</param>
    /// <param name="secret">The API key, removed from anything put into a message.</param>
    public static async Task<JsonNode> SendAsync(
        HttpClient http, HttpRequestMessage request, string provider, Func<JsonNode?, string> describeError, string? secret, ILogger logger, CancellationToken ct)
    {
        var what = $"{request.Method} /{request.RequestUri?.OriginalString.TrimStart('/')}";
        string body;
        System.Net.HttpStatusCode status;
        try
        {
            using var response = await http.SendAsync(request, ct);
            status = response.StatusCode;
            body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                var detail = Redact(describeError(TryParse(body)), secret);
                logger.LogWarning("{Provider} refused {Call}: {Status} {Detail}", provider, what, (int)status, detail);
                throw new BillingProviderException($"{provider} answered {(int)status} to {what}: {detail}");
            }
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning("{Provider} did not answer {Call} within {Seconds} s.", provider, what, http.Timeout.TotalSeconds);
            throw new BillingProviderException($"{provider} did not answer {what} in time.", ex);
        }
        catch (HttpRequestException ex)
        {
            logger.LogWarning("{Provider} could not be reached for {Call}: {Error}", provider, what, ex.HttpRequestError);
            throw new BillingProviderException($"{provider} could not be reached for {what} ({ex.HttpRequestError}).", ex);
        }

        if (TryParse(body) is { } json)
        {
            return json;
        }

        logger.LogWarning("{Provider} answered {Call} with {Status} but a body that is not JSON.", provider, what, (int)status);
        throw new BillingProviderException($"{provider} answered {what} with a body that is not JSON.");
    }

    /// <summary>A string at <paramref name="path"/> (property names) of the answer, or a provider error naming what was missing.</summary>
    public static string RequireString(JsonNode json, string provider, params string[] path)
    {
        JsonNode? node = json;
        foreach (var name in path)
        {
            node = node is JsonObject o ? o[name] : null;
        }

        return node is JsonValue value && value.TryGetValue<string>(out var text) && !string.IsNullOrEmpty(text)
            ? text
            : throw new BillingProviderException($"{provider}'s answer has no {string.Join('.', path)}.");
    }

    /// <summary>An absolute http(s) URL at <paramref name="path"/> of the answer.</summary>
    public static Uri RequireUrl(JsonNode json, string provider, params string[] path) =>
        Uri.TryCreate(RequireString(json, provider, path), UriKind.Absolute, out var url) && url.Scheme is "https" or "http"
            ? url
            : throw new BillingProviderException($"{provider}'s answer has no valid URL at {string.Join('.', path)}.");

    /// <summary>Removes the key and anything shaped like a Stripe or Lemon Squeezy secret.</summary>
    public static string Redact(string text, string? secret)
    {
        if (!string.IsNullOrEmpty(secret))
        {
            text = text.Replace(secret, "[redacted]", StringComparison.Ordinal);
        }

        text = SecretShape().Replace(text, "[redacted]");
        return text.Length > 300 ? text[..300] : text;
    }

    private static JsonNode? TryParse(string body)
    {
        try
        {
            return string.IsNullOrWhiteSpace(body) ? null : JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Stripe keys (sk_/rk_/whsec_, even partly masked) and JWT-shaped tokens (Lemon Squeezy API keys are JWTs).
    [GeneratedRegex(@"\b(?:sk|rk|whsec)_[A-Za-z0-9_*]+|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")]
    private static partial Regex SecretShape();
}
