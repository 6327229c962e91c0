using System.Runtime.CompilerServices;
using System.Text;

namespace Pingvas.Sdk;

/// <summary>One dispatched Server-Sent Event: its type (default <c>message</c>), data and the last event id seen.</summary>
public sealed record ServerSentEvent(string? Id, string Event, string Data);

/// <summary>
/// The <c>text/event-stream</c> framing as the HTML standard's parser reads it: lines end in LF, CR
/// or CRLF; <c>:</c> starts a comment; <c>field: value</c> (one leading space dropped); <c>data</c>
/// lines join with LF; a blank line dispatches; the last event id carries over to later events; an
/// event cut off by the end of the stream is dropped.
/// </summary>
public static class ServerSentEventReader
{
    public static async IAsyncEnumerable<ServerSentEvent> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken ct = default)
    {
        // StreamReader splits on LF, CR and CRLF and drops a leading BOM, as the standard asks.
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        string? lastEventId = null;
        string? type = null;
        var data = new StringBuilder();
        var hasData = false;
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                if (hasData)
                {
                    yield return new ServerSentEvent(lastEventId, string.IsNullOrEmpty(type) ? "message" : type, data.ToString());
                }

                type = null;
                data.Clear();
                hasData = false;
                continue;
            }

            if (line[0] == ':')
            {
                continue; // A comment, e.g. the server's keep-alive.
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            switch (field)
            {
                case "event":
                    type = value;
                    break;
                case "data":
                    if (hasData)
                    {
                        data.Append('\n');
                    }

                    data.Append(value);
                    hasData = true;
                    break;
                case "id" when !value.Contains('\0', StringComparison.Ordinal):
                    lastEventId = value;
                    break;
                default:
                    break; // retry and unknown fields: nothing this client uses.
            }
        }
    }
}
