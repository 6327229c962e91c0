using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Pingvas.Sdk;

/// <summary>
/// The Pingvas API with an API key. Thread-safe; make one and keep it. Created without an
/// HttpClient it owns one (disposed with the client); a given HttpClient is the caller's to dispose.
/// </summary>
public sealed class PingvasClient : IDisposable
{
    private readonly HttpClient http;
    private readonly bool ownsHttp;

    public PingvasClient(PingvasClientOptions options)
        : this(new HttpClient(), options, ownsHttp: true)
    {
    }

    public PingvasClient(HttpClient http, PingvasClientOptions options)
        : this(http, options, ownsHttp: false)
    {
    }

    private PingvasClient(HttpClient http, PingvasClientOptions options, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ApiKey);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries);
        this.http = http;
        this.ownsHttp = ownsHttp;
        var baseUri = options.BaseUrl is { } url ? new Uri(url) : http.BaseAddress ?? new Uri(PingvasClientOptions.DefaultBaseUrl);
        Transport = new ApiTransport(http, baseUri, options);
        Generations = new GenerationsClient(this);
        Images = new ImagesClient(this);
        Models = new ModelsClient(this);
        WebhookEndpoints = new WebhookEndpointsClient(this);
    }

    public GenerationsClient Generations { get; }

    public ImagesClient Images { get; }

    public ModelsClient Models { get; }

    public WebhookEndpointsClient WebhookEndpoints { get; }

    /// <summary>The last <c>RateLimit-*</c> headers the API sent (this month's API calls); null before any.</summary>
    public RateLimitInfo? RateLimit => Transport.RateLimit;

    internal ApiTransport Transport { get; }

    internal async Task<T> SendAsync<T>(ApiRequest call, JsonTypeInfo<T> type, CancellationToken ct)
    {
        using var response = await Transport.SendAsync(call, ct).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync(type, ct).ConfigureAwait(false)
            ?? throw new JsonException($"{call.Operation.Id} answered no body.");
    }

    internal async Task SendAsync(ApiRequest call, CancellationToken ct)
    {
        using var response = await Transport.SendAsync(call, ct).ConfigureAwait(false);
    }

    internal static Func<HttpContent> Json<T>(T body, JsonTypeInfo<T> type) => () => JsonContent.Create(body, type);

    /// <summary>Every item of a cursor-paged list, fetching pages as the caller goes.</summary>
    internal async IAsyncEnumerable<T> PagesAsync<T>(
        Func<string?, CancellationToken, Task<Page<T>>> page, [EnumeratorCancellation] CancellationToken ct)
    {
        string? cursor = null;
        do
        {
            var current = await page(cursor, ct).ConfigureAwait(false);
            foreach (var item in current.Items)
            {
                yield return item;
            }

            cursor = current.NextCursor;
        }
        while (cursor is not null);
    }

    public void Dispose()
    {
        if (ownsHttp)
        {
            http.Dispose();
        }
    }
}
