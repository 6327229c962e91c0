using System.Net;
using System.Net.Sockets;

namespace Pingvas.Engines.Relay;

/// <summary>
/// Provider-supplied URLs (Replicate's output files) are fetched only over https, only from the
/// configured hosts, and only from public addresses: the address check runs when the connection is
/// made, on the address actually dialled, so a DNS answer that changes between check and use
/// (rebinding) cannot reach an internal service. Redirects are not followed.
/// <see cref="RelayProviderOptions.AllowPrivateDownloads"/> lifts the https and address rules for tests.
/// </summary>
public sealed class DownloadGuard(RelayProviderOptions options)
{
    public bool IsAllowed(Uri url)
    {
        var schemeOk = url.Scheme == Uri.UriSchemeHttps || (options.AllowPrivateDownloads && url.Scheme == Uri.UriSchemeHttp);
        return schemeOk && url.UserInfo.Length == 0 && options.DownloadHosts.Any(h => HostMatches(url.IdnHost, h));
    }

    /// <summary>An HTTP handler whose connections go only to public addresses (or any, when allowed for tests).</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ConnectCallback = ConnectAsync,
    };

    /// <summary>False for loopback, private, link-local, shared (CGNAT), multicast and unspecified addresses.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0 || b[0] == 10 || b[0] >= 224
                || (b[0] == 100 && b[1] >= 64 && b[1] < 128)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] >= 16 && b[1] < 32)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19)));
        }

        var bytes = address.GetAddressBytes();
        var uniqueLocal = (bytes[0] & 0xFE) == 0xFC;
        return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || uniqueLocal);
    }

    private static bool HostMatches(string host, string allowed) =>
        allowed.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(allowed[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(host, allowed, StringComparison.OrdinalIgnoreCase);

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct).ConfigureAwait(false);
        var usable = addresses.Where(a => options.AllowPrivateDownloads || IsPublic(a)).ToArray();
        if (usable.Length == 0)
        {
            throw new DownloadRefusedException($"{context.DnsEndPoint.Host} resolves to no public address.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(usable, context.DnsEndPoint.Port, ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A download the guard would not connect to.</summary>
public sealed class DownloadRefusedException(string message) : IOException(message);
