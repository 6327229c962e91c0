using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace Pingvas.Engines.Tests.InvokeAi;

/// <summary>
/// A Socket.IO endpoint that completes the handshake (Engine.IO open packet, namespace connect)
/// and then says nothing: a node whose socket is up but silent. Records the packets it receives.
/// </summary>
internal sealed class SilentSocketServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _received = [];
    private readonly Task _loop;

    public SilentSocketServer()
    {
        var port = FreePort();
        Url = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public Uri Url { get; }

    public IReadOnlyList<string> Received
    {
        get
        {
            lock (_received)
            {
                return _received.ToList();
            }
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            if (!context.Request.IsWebSocketRequest || context.Request.Url?.AbsolutePath != "/ws/socket.io/")
            {
                context.Response.StatusCode = 404;
                context.Response.Close();
                continue;
            }
            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        try
        {
            var socket = (await context.AcceptWebSocketAsync(null)).WebSocket;
            await SendAsync(socket, "0{\"sid\":\"silent\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}");
            var buffer = new byte[8192];
            while (!_stop.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                var text = Encoding.UTF8.GetString(buffer, 0, result.Count);
                lock (_received)
                {
                    _received.Add(text);
                }
                if (text.StartsWith("40", StringComparison.Ordinal))
                {
                    await SendAsync(socket, "40{\"sid\":\"ns-silent\"}");
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or HttpListenerException or ObjectDisposedException)
        {
            // The client went away or the server is stopping.
        }
    }

    private Task SendAsync(WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, _stop.Token);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (ObjectDisposedException)
        {
            // Closing the listener ends the accept loop.
        }
        _stop.Dispose();
    }
}
