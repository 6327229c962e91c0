using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Pingvas.Sdk;

/// <summary>
/// Reads a generation event stream and reopens it with <c>Last-Event-ID</c> when it drops. Reconnects
/// are bounded: after <c>MaxRetries</c> drops in a row without a new state in between (a reopened stream
/// starts with the state already seen, which does not count) it gives up with an <see cref="IOException"/>.
/// </summary>
internal sealed class EventStream(ApiTransport transport, Operation operation, string? id, string? lastEventId, bool stopAtFinal)
{
    public const string EventName = "generation";

    public async IAsyncEnumerable<GenerationEvent> ReadAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var drops = 0;
        (Guid, string, int)? lastState = null;
        while (true)
        {
            var call = new ApiRequest(operation) { Id = id, LastEventId = lastEventId, Accept = "text/event-stream", Streaming = true };
            using (var response = await transport.SendAsync(call, ct).ConfigureAwait(false))
            {
                var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                await using var events = ServerSentEventReader.ReadAsync(stream, ct).GetAsyncEnumerator(ct);
                while (await NextAsync(events, ct).ConfigureAwait(false) is { } e)
                {
                    if (e.Event != EventName)
                    {
                        continue;
                    }

                    var generation = JsonSerializer.Deserialize(e.Data, PingvasJsonContext.Default.Generation)
                        ?? throw new JsonException("An event without a generation.");
                    lastEventId = e.Id ?? lastEventId;
                    var state = (generation.Id, generation.Status, generation.Progress.Step);
                    if (state != lastState)
                    {
                        drops = 0;
                        lastState = state;
                    }

                    yield return new GenerationEvent(e.Id, e.Event, generation);
                    if (stopAtFinal && generation.IsTerminal)
                    {
                        yield break;
                    }
                }
            }

            // The stream ended (or broke) before the final event: reopen it where it stopped.
            drops++;
            if (drops > transport.Options.MaxRetries)
            {
                throw new IOException($"The event stream of {operation.Id} dropped {drops} times in a row.");
            }

            await transport.WaitAsync(new RetryNotice(drops, null, null, transport.Backoff(drops), null), ct).ConfigureAwait(false);
        }
    }

    /// <summary>The next event; null at the end of the stream or when the connection broke (a yield cannot sit in a try with a catch).</summary>
    private static async Task<ServerSentEvent?> NextAsync(IAsyncEnumerator<ServerSentEvent> events, CancellationToken ct)
    {
        try
        {
            return await events.MoveNextAsync().ConfigureAwait(false) ? events.Current : null;
        }
        catch (Exception e) when (ApiTransport.IsConnectionError(e, ct))
        {
            return null;
        }
    }
}
