using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;

namespace Pingvas.Server.Realtime;

/// <summary><c>Streams:</c> settings of the Server-Sent Events streams.</summary>
public sealed class StreamOptions
{
    /// <summary>A comment line goes out after this long without an event, so proxies keep the connection.</summary>
    public double KeepAliveSeconds { get; set; } = 15;

    /// <summary>
    /// A resume looks this much further back than its cursor says: the clocks of API instances and
    /// workers differ a little, and a terminal event can reach a stream after a later one.
    /// </summary>
    public int ResumeMarginSeconds { get; set; } = 60;
}

/// <summary>One generation event as a stream sends it: the hub's JSON, with what a stream needs to know about it.</summary>
public sealed record StreamEvent(Guid JobId, string Status, DateTime CreatedAt, string Json)
{
    public bool IsTerminal => Status is "succeeded" or "failed" or "cancelled";

    /// <summary>Reads the fields a stream needs from the hub's JSON of a generation.</summary>
    public static StreamEvent FromJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new StreamEvent(
            root.GetProperty("id").GetGuid(),
            root.GetProperty("status").GetString() ?? "",
            root.GetProperty("createdAt").GetDateTime().ToUniversalTime(),
            json);
    }
}

/// <summary>
/// The Server-Sent Events streams open on this process, per user. Every generation event this
/// process hands to the hub (straight, or as heard on <see cref="EventChannels.Events"/> from any
/// process) is handed here too, so a stream on any API instance sees every job of its user.
/// </summary>
public sealed class GenerationStreams
{
    /// <summary>Events a slow stream may have waiting; past it the oldest go (progress, mostly).</summary>
    public const int Buffer = 1_000;

    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<StreamSubscription, byte>> byUser = new();

    /// <summary>The users with a stream open here.</summary>
    public IReadOnlyCollection<Guid> Users => [.. byUser.Where(u => !u.Value.IsEmpty).Select(u => u.Key)];

    /// <summary>A stream of the user's events; <paramref name="keyId"/> is the API key it was opened with, if any.</summary>
    public StreamSubscription Subscribe(Guid userId, Guid? keyId = null)
    {
        var subscription = new StreamSubscription(this, userId, keyId);
        byUser.GetOrAdd(userId, _ => new()).TryAdd(subscription, 0);
        return subscription;
    }

    /// <summary>Never blocks and never throws: a stream is best effort, like the hub. The JSON is made only when a stream of the user is open here.</summary>
    public void Publish(Guid userId, Func<string> generationJson)
    {
        if (!byUser.TryGetValue(userId, out var subscriptions) || subscriptions.IsEmpty)
        {
            return;
        }

        StreamEvent e;
        try
        {
            e = StreamEvent.FromJson(generationJson());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return;
        }

        foreach (var subscription in subscriptions.Keys)
        {
            subscription.Write(e);
        }
    }

    /// <summary>Ends every stream of the user on this process (signed out everywhere, suspended); returns how many.</summary>
    public int CloseUser(Guid userId)
    {
        if (!byUser.TryGetValue(userId, out var subscriptions))
        {
            return 0;
        }

        var closing = subscriptions.Keys.ToList();
        foreach (var subscription in closing)
        {
            subscription.Close();
        }

        return closing.Count;
    }

    /// <summary>Ends every stream on this process opened with the API key (revoked); returns how many.</summary>
    public int CloseKey(Guid keyId)
    {
        var closing = byUser.Values.SelectMany(s => s.Keys).Where(s => s.KeyId == keyId).ToList();
        foreach (var subscription in closing)
        {
            subscription.Close();
        }

        return closing.Count;
    }

    internal void Remove(StreamSubscription subscription)
    {
        if (byUser.TryGetValue(subscription.UserId, out var subscriptions))
        {
            subscriptions.TryRemove(subscription, out _);
        }
    }
}

/// <summary>One open stream's queue of events; disposing it stops the delivery.</summary>
public sealed class StreamSubscription(GenerationStreams owner, Guid userId, Guid? keyId) : IDisposable
{
    private readonly Channel<StreamEvent> events = Channel.CreateBounded<StreamEvent>(new BoundedChannelOptions(GenerationStreams.Buffer)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropOldest,
    });

    public Guid UserId => userId;

    public Guid? KeyId => keyId;

    public ChannelReader<StreamEvent> Events => events.Reader;

    internal void Write(StreamEvent e) => events.Writer.TryWrite(e);

    /// <summary>No more events: the stream sends what it has and ends.</summary>
    internal void Close() => events.Writer.TryComplete();

    public void Dispose()
    {
        owner.Remove(this);
        events.Writer.TryComplete();
    }
}
