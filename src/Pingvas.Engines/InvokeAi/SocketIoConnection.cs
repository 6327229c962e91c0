using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pingvas.Engines.InvokeAi;

/// <summary>An event the node pushed: <c>42["name", data]</c>.</summary>
public sealed record SocketIoEvent(string Name, JsonElement Data);

/// <summary>
/// A minimal Socket.IO v5 client over Engine.IO v4, WebSocket transport only: the open packet,
/// <c>40</c> connect with auth, ping/pong, and <c>42</c> events on the default namespace.
/// All InvokeAI needs, in one readable file, instead of a client library never run against a server here.
/// </summary>
public sealed class SocketIoConnection : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TimeSpan _silenceLimit;

    private SocketIoConnection(ClientWebSocket socket, TimeSpan silenceLimit)
    {
        _socket = socket;
        _silenceLimit = silenceLimit;
    }

    /// <summary>Opens the WebSocket at <paramref name="path"/> (e.g. <c>/ws/socket.io</c>) and completes the Socket.IO connect.</summary>
    public static async Task<SocketIoConnection> ConnectAsync(Uri baseUrl, string path, string? token, TimeSpan timeout, CancellationToken ct)
    {
        var scheme = baseUrl.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        var prefix = baseUrl.AbsolutePath.TrimEnd('/');
        var uri = new Uri($"{scheme}://{baseUrl.Authority}{prefix}{path.TrimEnd('/')}/?EIO=4&transport=websocket");
        var socket = new ClientWebSocket();
        if (token is not null)
        {
            socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(uri, limit.Token);
            var open = await ReadTextAsync(socket, limit.Token);
            if (!open.StartsWith('0'))
            {
                throw new WebSocketException($"Expected an Engine.IO open packet, got '{Clip(open)}'.");
            }
            using var handshake = JsonDocument.Parse(open.AsMemory(1));
            var interval = handshake.RootElement.GetProperty("pingInterval").GetInt32();
            var pingTimeout = handshake.RootElement.GetProperty("pingTimeout").GetInt32();
            var connection = new SocketIoConnection(socket, TimeSpan.FromMilliseconds(interval + pingTimeout));

            var auth = token is null ? string.Empty : new JsonObject { ["token"] = token }.ToJsonString();
            await connection.SendTextAsync("40" + auth, limit.Token);
            while (true)
            {
                var packet = await ReadTextAsync(socket, limit.Token);
                if (packet.StartsWith("40", StringComparison.Ordinal))
                {
                    return connection;
                }
                if (packet.StartsWith("44", StringComparison.Ordinal))
                {
                    throw new WebSocketException($"The node refused the socket connection: {Clip(packet[2..])}");
                }
                if (packet == "2")
                {
                    await connection.SendTextAsync("3", limit.Token);
                }
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public Task EmitAsync(string name, JsonNode? data, CancellationToken ct) =>
        SendTextAsync("42" + new JsonArray(name, data?.DeepClone()).ToJsonString(), ct);

    /// <summary>
    /// The next event. Answers pings on the way; throws when the connection closes, or when the
    /// server has been silent longer than its ping interval plus timeout (it is gone).
    /// </summary>
    public async Task<SocketIoEvent> ReceiveAsync(CancellationToken ct)
    {
        while (true)
        {
            using var silence = CancellationTokenSource.CreateLinkedTokenSource(ct);
            silence.CancelAfter(_silenceLimit);
            string packet;
            try
            {
                packet = await ReadTextAsync(_socket, silence.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new WebSocketException("The node stopped pinging the socket.");
            }
            switch (packet)
            {
                case "2":
                    await SendTextAsync("3", ct);
                    continue;
                case "1":
                    throw new WebSocketException("The node closed the socket.");
            }
            if (packet.StartsWith("41", StringComparison.Ordinal))
            {
                throw new WebSocketException("The node disconnected the socket.");
            }
            if (packet.StartsWith("42", StringComparison.Ordinal) && Parse(packet.AsMemory(2)) is { } e)
            {
                return e;
            }
        }
    }

    private static SocketIoEvent? Parse(ReadOnlyMemory<char> payload)
    {
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() == 0 || root[0].ValueKind != JsonValueKind.String)
            {
                return null;
            }
            var data = root.GetArrayLength() > 1 ? root[1].Clone() : default;
            return new SocketIoEvent(root[0].GetString()!, data);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task SendTextAsync(string text, CancellationToken ct)
    {
        await _sendLock.WaitAsync(ct);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private static async Task<string> ReadTextAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.GetMemory(4096), ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException("The node closed the socket.");
            }
            buffer.Advance(result.Count);
            if (result.EndOfMessage)
            {
                // Binary frames carry Socket.IO attachments, which InvokeAI never sends: skip them.
                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    buffer.Clear();
                    continue;
                }
                return Encoding.UTF8.GetString(buffer.WrittenSpan);
            }
        }
    }

    private static string Clip(string text) => text.Length > 200 ? text[..200] : text;

    public async ValueTask DisposeAsync()
    {
        try
        {
            // CloseReceived too: the node waits for our answer to its close before it lets go of the socket.
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, limit.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Closing is a courtesy; the socket is disposed either way.
        }
        _socket.Dispose();
        _sendLock.Dispose();
    }
}
