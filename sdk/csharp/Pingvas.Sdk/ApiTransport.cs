using System.Net.Http.Headers;

namespace Pingvas.Sdk;

/// <summary>
/// Sends a call with the key, retrying 429 and 503 after <c>Retry-After</c> (or a jittered backoff),
/// and connection errors of repeatable calls; a refused answer becomes a <see cref="PingvasApiException"/>.
/// </summary>
internal sealed class ApiTransport(HttpClient http, Uri baseUri, PingvasClientOptions options)
{
    private RateLimitInfo? rateLimit;

    public PingvasClientOptions Options => options;

    public RateLimitInfo? RateLimit => Volatile.Read(ref rateLimit);

    /// <summary>The successful answer; the caller disposes it.</summary>
    public async Task<HttpResponseMessage> SendAsync(ApiRequest call, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage response;
            using (var request = Build(call))
            {
                try
                {
                    response = await http.SendAsync(request, call.Streaming ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, ct)
                        .ConfigureAwait(false);
                }
                catch (Exception e) when (IsConnectionError(e, ct) && call.Repeatable && attempt <= options.MaxRetries)
                {
                    await WaitAsync(new RetryNotice(attempt, null, null, Backoff(attempt), e), ct).ConfigureAwait(false);
                    continue;
                }
            }

            var now = options.TimeProvider.GetUtcNow();
            if (ProblemReader.RateLimit(response, now) is { } seen)
            {
                Volatile.Write(ref rateLimit, seen);
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            PingvasApiException error;
            using (response)
            {
                error = await ProblemReader.ReadAsync(response, now, ct).ConfigureAwait(false);
            }

            if (error.Status is not (429 or 503) || attempt > options.MaxRetries)
            {
                throw error;
            }

            // A quota that resets next month is not worth waiting for: say so at once, with the reset time.
            var delay = error.RetryAfter
                ?? (error is QuotaExceededException { ResetAt: { } resetAt } ? resetAt - now : Backoff(attempt));
            if (delay > options.MaxRetryDelay)
            {
                throw error;
            }

            await WaitAsync(new RetryNotice(attempt, error.Status, error.Code, delay, error), ct).ConfigureAwait(false);
        }
    }

    private HttpRequestMessage Build(ApiRequest call)
    {
        var request = new HttpRequestMessage(new HttpMethod(call.Operation.Method), new Uri(baseUri, call.PathAndQuery()));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(call.Accept ?? "application/json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("pingvas-sdk-csharp", typeof(ApiTransport).Assembly.GetName().Version?.ToString(3)));
        if (call.IdempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", call.IdempotencyKey);
        }

        if (call.LastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", call.LastEventId);
        }

        request.Content = call.Content?.Invoke();
        return request;
    }

    /// <summary>A jittered exponential backoff: about <c>InitialBackoff × 2^(attempt-1)</c>, ±50 %, capped.</summary>
    public TimeSpan Backoff(int attempt)
    {
        var exponential = options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 16));
        var jittered = exponential * (0.5 + Random.Shared.NextDouble());
        return TimeSpan.FromMilliseconds(Math.Min(jittered, options.MaxRetryDelay.TotalMilliseconds));
    }

    public async Task WaitAsync(RetryNotice notice, CancellationToken ct)
    {
        options.OnRetry?.Invoke(notice);
        if (notice.Delay > TimeSpan.Zero)
        {
            await Task.Delay(notice.Delay, options.TimeProvider, ct).ConfigureAwait(false);
        }
    }

    /// <summary>A failure to reach the server, or HttpClient's own timeout; never the caller's cancellation.</summary>
    public static bool IsConnectionError(Exception e, CancellationToken ct) =>
        !ct.IsCancellationRequested && e is HttpRequestException or TaskCanceledException or IOException;
}
