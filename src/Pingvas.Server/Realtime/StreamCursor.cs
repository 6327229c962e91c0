using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Pingvas.Server.Realtime;

/// <summary>
/// The opaque <c>id:</c> of a stream's events, and what a <c>Last-Event-ID</c> gives back: a moment
/// from which the jobs' stored state tells what the client may have missed. It holds no sequence
/// number of this process, so a client may resume on any API instance. The moment is the earliest
/// of the event's time and the creation of every job the stream showed unfinished: a job whose
/// final event the client did not get is then still queued or running, or finished after it.
/// </summary>
public sealed class StreamCursor(TimeProvider time)
{
    private const string Version = "1";
    private readonly Dictionary<Guid, DateTime> open = [];

    /// <summary>The id of <paramref name="e"/>, to send with it.</summary>
    public string After(StreamEvent e)
    {
        if (e.IsTerminal)
        {
            open.Remove(e.JobId);
        }
        else
        {
            open[e.JobId] = e.CreatedAt;
        }

        var at = time.GetUtcNow().UtcDateTime;
        foreach (var created in open.Values)
        {
            at = created < at ? created : at;
        }

        return Encode(at);
    }

    public static string Encode(DateTime at)
    {
        var text = $"{Version}:{new DateTimeOffset(at, TimeSpan.Zero).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}";
        return Base64Url.EncodeToString(Encoding.ASCII.GetBytes(text));
    }

    /// <summary>The moment in a cursor this server wrote; null for anything else (then the client gets no replay).</summary>
    public static DateTime? Decode(string? cursor)
    {
        if (string.IsNullOrWhiteSpace(cursor) || cursor.Length > 64)
        {
            return null;
        }

        try
        {
            var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor.Trim())).Split(':');
            return parts is [Version, var ms] && long.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out var unix)
                && unix <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()
                ? DateTimeOffset.FromUnixTimeMilliseconds(unix).UtcDateTime
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
