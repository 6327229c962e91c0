using System.Net;
using System.Net.Sockets;

using Microsoft.Extensions.Options;

namespace Pingvas.Server.Webhooks;

/// <summary>A target a webhook may not be sent to (request forgery guard).</summary>
public sealed class WebhookTargetForbiddenException(string message) : Exception(message);

/// <summary>
/// The request-forgery guard: a target URL must be http(s) without credentials, and every address
/// it resolves to must be public. Checked at registration (<see cref="CheckAsync"/>) and again on
/// every connection (<see cref="ConnectAsync"/>, the sender's ConnectCallback), so a name that
/// resolves elsewhere later (DNS rebinding) cannot reach an internal address.
/// </summary>
public sealed class WebhookTargets(IOptions<WebhookOptions> options)
{
    /// <summary>Lifts the address check (tests only); settable so a test can turn it off after registering.</summary>
    public bool AllowPrivateTargets { get; set; } = options.Value.AllowPrivateTargets;

    /// <summary>Null when <paramref name="url"/> is acceptable, else why not.</summary>
    public async Task<string?> CheckAsync(string? url, CancellationToken ct)
    {
        if (ShapeError(url) is { } error)
        {
            return error;
        }

        if (AllowPrivateTargets)
        {
            return null;
        }

        var uri = new Uri(url!);
        try
        {
            var addresses = await ResolveAsync(uri.IdnHost, ct);
            return addresses.FirstOrDefault(IsForbidden) is { } bad ? $"The URL resolves to a non-public address ({bad})." : null;
        }
        catch (SocketException)
        {
            return "The URL's host name does not resolve.";
        }
    }

    /// <summary>Checks the URL's form only: absolute http(s), no user info, a host.</summary>
    public static string? ShapeError(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > 2000 || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return "url must be an absolute http or https URL.";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
        {
            return "Only http and https URLs are allowed.";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "The URL may not contain credentials.";
        }

        return string.IsNullOrEmpty(uri.Host) ? "The URL has no host." : null;
    }

    /// <summary>Opens the connection for the sender: resolves the host and connects to the first allowed address.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var addresses = await ResolveAsync(context.DnsEndPoint.Host, ct);
        var allowed = AllowPrivateTargets ? addresses : addresses.Where(a => !IsForbidden(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw new WebhookTargetForbiddenException($"Refused to connect: {context.DnsEndPoint.Host} resolves only to non-public addresses.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct)
    {
        var trimmed = host.Trim('[', ']');
        return IPAddress.TryParse(trimmed, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(trimmed, ct);
    }

    /// <summary>Loopback, private, link-local (metadata services), CGNAT, multicast, unspecified, and IPv4-mapped forms of these.</summary>
    public static bool IsForbidden(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return true;
        }

        var b = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return b[0] == 0 || b[0] == 10 || b[0] == 127
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                || b[0] >= 224;
        }

        // IPv6: ULA fc00::/7 (includes fd00:ec2::254), link-local fe80::/10, multicast ff00::/8,
        // IPv4-compatible and NAT64 forms of private addresses are refused with the rest of ::/96 and 64:ff9b::/96.
        return (b[0] & 0xfe) == 0xfc
            || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
            || b.Take(12).All(x => x == 0)
            || (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b);
    }
}
