using System.Net.WebSockets;
using System.Text.Json.Nodes;
using System.Threading.Channels;

using Microsoft.Extensions.Logging;

namespace Pingvas.Engines.InvokeAi;

/// <summary>
/// One socket.io connection per node, kept open and re-opened with backoff, fanning its events
/// out to the runs that follow items on the node. Runs do not depend on it: when it is down or
/// silent they poll the queue item over REST.
/// </summary>
public sealed class InvokeAiEventStream(Uri baseUrl, string? token, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    public const string SocketPath = "/ws/socket.io";

    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private readonly List<Channel<SocketIoEvent>> _subscribers = [];
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private volatile bool _connected;

    /// <summary>True while the socket is connected and subscribed to the queue.</summary>
    public bool IsConnected => _connected;

    /// <summary>Starts the connection loop once; later calls do nothing.</summary>
    public void EnsureStarted()
    {
        lock (_lock)
        {
            _loop ??= Task.Run(() => RunAsync(_stopping.Token));
        }
    }

    /// <summary>Every event from now on, until the subscription is disposed.</summary>
    public Subscription Subscribe()
    {
        EnsureStarted();
        var channel = Channel.CreateUnbounded<SocketIoEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_lock)
        {
            _subscribers.Add(channel);
        }
        return new Subscription(this, channel);
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var backoff = MinBackoff;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await SocketIoConnection.ConnectAsync(baseUrl, SocketPath, token, TimeSpan.FromSeconds(10), stopping);
                // 6.13 joins the event rooms only on subscribe_queue; 6.14 ignores the repeat.
                await connection.EmitAsync("subscribe_queue", new JsonObject { ["queue_id"] = InvokeAiClient.QueueId }, stopping);
                _connected = true;
                backoff = MinBackoff;
                logger.LogInformation("Event socket connected to InvokeAI node {Node}", baseUrl.Authority);
                while (true)
                {
                    Publish(await connection.ReceiveAsync(stopping));
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or OperationCanceledException)
            {
                if (_connected)
                {
                    logger.LogWarning("Event socket to InvokeAI node {Node} lost: {Reason}; runs poll meanwhile", baseUrl.Authority, ex.Message);
                }
                _connected = false;
            }
            try
            {
                await Task.Delay(backoff, time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private void Publish(SocketIoEvent e)
    {
        lock (_lock)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(e);
            }
        }
    }

    private void Remove(Channel<SocketIoEvent> channel)
    {
        lock (_lock)
        {
            _subscribers.Remove(channel);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }
        _stopping.Dispose();
    }

    public sealed class Subscription(InvokeAiEventStream stream, Channel<SocketIoEvent> channel) : IDisposable
    {
        public ChannelReader<SocketIoEvent> Events => channel.Reader;

        public void Dispose() => stream.Remove(channel);
    }
}
