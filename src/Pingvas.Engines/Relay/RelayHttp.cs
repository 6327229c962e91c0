using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Pingvas.Engines.Relay;

/// <summary>HTTP details every provider client shares: classifying error statuses, Retry-After, bounded reads.</summary>
public static class RelayHttp
{
    /// <summary>
    /// The failure an unsuccessful response stands for. <paramref name="refused"/> says whether the
    /// provider's error text marks a content-policy refusal (each provider words it its own way).
    /// </summary>
    public static ProviderException Failure(string provider, HttpResponseMessage response, string body, bool refused)
    {
        var status = (int)response.StatusCode;
        var detail = $"HTTP {status}: {Excerpt(body)}";
        if (refused)
        {
            return new ProviderException(ProviderFailure.Refused, $"{provider} {detail}");
        }

        return response.StatusCode switch
        {
            HttpStatusCode.TooManyRequests => new ProviderException(ProviderFailure.Throttled, $"{provider} {detail}", RetryAfter(response.Headers)),
            HttpStatusCode.RequestTimeout => new ProviderException(ProviderFailure.Transient, $"{provider} {detail}"),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.PaymentRequired =>
                new ProviderException(ProviderFailure.Unavailable, $"{provider} {detail}"),
            _ when status >= 500 => new ProviderException(ProviderFailure.Transient, $"{provider} {detail}"),
            _ => new ProviderException(ProviderFailure.Rejected, $"{provider} {detail}"),
        };
    }

    /// <summary>Retry-After as seconds or an HTTP date; null when absent or in the past.</summary>
    public static TimeSpan? RetryAfter(HttpResponseHeaders headers)
    {
        if (headers.RetryAfter is not { } value)
        {
            return null;
        }

        if (value.Delta is { } delta)
        {
            return delta;
        }

        return value.Date is { } date && date > DateTimeOffset.UtcNow ? date - DateTimeOffset.UtcNow : null;
    }

    /// <summary>Reads a body of at most <paramref name="maxBytes"/>; a larger one is a garbled answer.</summary>
    public static async Task<byte[]> ReadBoundedAsync(HttpContent content, long maxBytes, string provider, CancellationToken ct)
    {
        if (content.Headers.ContentLength is { } length && length > maxBytes)
        {
            throw new ProviderException(ProviderFailure.Transient, $"{provider} sent {length} bytes, more than the {maxBytes} allowed.");
        }

        await using var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new ProviderException(ProviderFailure.Transient, $"{provider} sent more than the {maxBytes} bytes allowed.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>An error body shortened for messages and logs (provider error texts, never our request).</summary>
    public static string Excerpt(string body)
    {
        var flat = body.ReplaceLineEndings(" ").Trim();
        return flat.Length <= 300 ? flat : flat[..300] + "…";
    }

    /// <summary><paramref name="path"/> under the configured base URL, whether or not it ends in a slash.</summary>
    public static Uri Endpoint(string baseUrl, string path) => new($"{baseUrl.TrimEnd('/')}/{path.TrimStart('/')}");

    public static AuthenticationHeaderValue Bearer(string key) => new("Bearer", key);

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
