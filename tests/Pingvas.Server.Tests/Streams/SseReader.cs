using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Streams;

/// <summary>One event of a <c>text/event-stream</c>, as the framing gave it.</summary>
public sealed record SseEvent(string? Id, string? Event, string Data)
{
    public JsonElement Json => JsonDocument.Parse(Data).RootElement.Clone();

    public Guid JobId => Json.GetProperty("id").GetGuid();

    public string Status => Json.GetProperty("status").GetString()!;

    public int Step => Json.GetProperty("progress").GetProperty("step").GetInt32();
}

/// <summary>
/// Reads a Server-Sent Events response the way curl would show it, parsing the framing itself
/// (field lines, blank line ends an event, <c>:</c> starts a comment), with a bounded wait per read.
/// </summary>
public sealed class SseReader : IAsyncDisposable
{
    private readonly HttpClient client;
    private readonly HttpResponseMessage response;
    private readonly StreamReader reader;

    private SseReader(HttpClient client, HttpResponseMessage response, StreamReader reader)
    {
        this.client = client;
        this.response = response;
        this.reader = reader;
    }

    public HttpResponseMessage Response => response;

    /// <summary>Comment lines seen so far (without the colon), e.g. " keep-alive".</summary>
    public List<string> Comments { get; } = [];

    /// <summary>Every event read so far.</summary>
    public List<SseEvent> Events { get; } = [];

    public bool Closed { get; private set; }

    /// <summary>Opens <paramref name="path"/>; the caller checks the status (an error answer has no stream).</summary>
    public static async Task<SseReader> OpenAsync(Uri baseAddress, string path, string? accessToken, string? lastEventId = null)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        return new SseReader(client, response, new StreamReader(stream, Encoding.UTF8));
    }

    public static Task<SseReader> OpenAsync(PingvasServer server, string path, TestUser? user, string? lastEventId = null) =>
        OpenAsync(server.BaseAddress, path, user?.AccessToken, lastEventId);

    /// <summary>The next event, or null when the server closed the stream; throws when nothing came for <paramref name="timeout"/>.</summary>
    public async Task<SseEvent?> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        string? id = null, name = null;
        var data = new List<string>();
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No event within {timeout ?? TimeSpan.FromSeconds(30)}; so far: {string.Join(" | ", Events.Select(e => e.Data[..Math.Min(80, e.Data.Length)]))}");
            }

            if (line is null)
            {
                Closed = true;
                return null;
            }

            if (line.Length == 0)
            {
                if (data.Count == 0 && id is null && name is null)
                {
                    continue;
                }

                var e = new SseEvent(id, name, string.Join('\n', data));
                Events.Add(e);
                return e;
            }

            if (line.StartsWith(':'))
            {
                Comments.Add(line[1..]);
                continue;
            }

            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            value = value.StartsWith(' ') ? value[1..] : value;
            switch (field)
            {
                case "id":
                    id = value;
                    break;
                case "event":
                    name = value;
                    break;
                case "data":
                    data.Add(value);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>Reads until <paramref name="done"/> holds for an event read (returned), or fails on close or timeout.</summary>
    public async Task<SseEvent> UntilAsync(Func<SseEvent, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var e = await NextAsync(Max(left))
                ?? throw new InvalidOperationException("The stream closed before the awaited event.");
            if (done(e))
            {
                return e;
            }
        }
    }

    /// <summary>Reads every event until the server closes the stream.</summary>
    public async Task<List<SseEvent>> ToEndAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (await NextAsync(Max(deadline - DateTime.UtcNow)) is not null)
        {
        }

        return Events;
    }

    private static TimeSpan Max(TimeSpan left) => left > TimeSpan.FromMilliseconds(1) ? left : TimeSpan.FromMilliseconds(1);

    public ValueTask DisposeAsync()
    {
        reader.Dispose();
        response.Dispose();
        client.Dispose();
        return ValueTask.CompletedTask;
    }
}
