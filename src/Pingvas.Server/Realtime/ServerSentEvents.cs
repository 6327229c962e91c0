using System.Threading.Channels;

using Microsoft.AspNetCore.Http.Features;

namespace Pingvas.Server.Realtime;

/// <summary>
/// Writes a <c>text/event-stream</c> response: each event flushed as it is written, nothing
/// buffered on the way (nor by a proxy that honours <c>X-Accel-Buffering</c>), and a comment line
/// after <paramref name="keepAlive"/> without an event.
/// </summary>
public sealed class ServerSentEvents(HttpResponse response, TimeSpan keepAlive, TimeProvider time)
{
    public const string EventName = "generation";

    private Task<bool>? waiting;

    public async Task StartAsync(CancellationToken ct)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-transform";
        response.Headers["X-Accel-Buffering"] = "no";
        response.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        // The headers go out now, so a client knows the stream is open before the first event.
        await response.Body.FlushAsync(ct);
    }

    public async Task WriteAsync(string id, string json, CancellationToken ct)
    {
        // JSON as serialised here has no line breaks; should one come, each line is its own data: line.
        var data = string.Join('\n', json.Split('\n').Select(line => $"data: {line.TrimEnd('\r')}"));
        await response.WriteAsync($"id: {id}\nevent: {EventName}\n{data}\n\n", ct);
        await response.Body.FlushAsync(ct);
    }

    /// <summary>The next event for this stream; keep-alive comments go out while it waits. Null when the events end.</summary>
    public async Task<StreamEvent?> NextAsync(ChannelReader<StreamEvent> events, CancellationToken ct)
    {
        while (true)
        {
            if (events.TryRead(out var e))
            {
                return e;
            }

            // One wait at a time, kept across keep-alives.
            waiting ??= events.WaitToReadAsync(ct).AsTask();
            using var pause = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var delay = Task.Delay(keepAlive, time, pause.Token);
            if (await Task.WhenAny(waiting, delay) == waiting)
            {
                await pause.CancelAsync();
                var more = await waiting;
                waiting = null;
                if (!more)
                {
                    return null;
                }

                continue;
            }

            ct.ThrowIfCancellationRequested();
            await response.WriteAsync(": keep-alive\n\n", ct);
            await response.Body.FlushAsync(ct);
        }
    }
}
