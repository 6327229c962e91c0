using System.Net;
using System.Net.Sockets;

using Microsoft.AspNetCore.HttpOverrides;

namespace Pingvas.Server.Hosting;

public sealed class NetworkOptions
{
    /// <summary>Load balancers and proxies (addresses or CIDR networks) whose X-Forwarded-For is believed; none by default.</summary>
    public List<string> TrustedProxies { get; set; } = [];
}

/// <summary>
/// Who the client is: the connection's address, or behind trusted proxies the address they
/// forwarded. <see cref="Key"/> is what every per-address limit counts by.
/// </summary>
public static class ForwardedClients
{
    /// <summary>Reads <c>Network:TrustedProxies</c> and configures the forwarded-headers middleware; a bad entry fails at startup.</summary>
    public static IServiceCollection AddPingvasForwardedClients(this IServiceCollection services, IConfiguration configuration)
    {
        var entries = configuration.GetSection("Network").Get<NetworkOptions>()?.TrustedProxies ?? [];
        var networks = entries.Where(e => !string.IsNullOrWhiteSpace(e)).Select(ParseNetwork).ToList();
        services.AddSingleton(new TrustedProxies(networks));
        return services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor;

            // ASP.NET trusts loopback by default; only what the operator lists is a proxy here.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var network in networks)
            {
                o.KnownIPNetworks.Add(network);
            }

            // Walk the whole chain right to left; the middleware stops at the first hop that is not trusted.
            o.ForwardLimit = null;
        });
    }

    /// <summary>
    /// Applies X-Forwarded-For from trusted proxies. Without any, the middleware is left out: with
    /// empty known lists it would believe every sender.
    /// </summary>
    public static void UsePingvasForwardedClients(this WebApplication app)
    {
        if (app.Services.GetRequiredService<TrustedProxies>().Networks.Count > 0)
        {
            app.UseForwardedHeaders();
        }
    }

    /// <summary>
    /// The partition key for per-address limits: an IPv4 address as is (also when it arrives
    /// IPv4-mapped), an IPv6 address by its /64, since one subscriber usually holds a whole /64.
    /// </summary>
    public static string Key(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }

    /// <summary>The client of this request as <see cref="Key"/> names it.</summary>
    public static string ClientKey(this HttpContext http) => Key(http.Connection.RemoteIpAddress);

    private static System.Net.IPNetwork ParseNetwork(string entry)
    {
        var text = entry.Trim();
        if (System.Net.IPNetwork.TryParse(text, out var network))
        {
            return network;
        }

        if (IPAddress.TryParse(text, out var address))
        {
            return new System.Net.IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        }

        throw new InvalidOperationException($"Network:TrustedProxies: '{text}' is neither an IP address nor a CIDR network such as 10.0.0.0/8.");
    }

    private sealed record TrustedProxies(IReadOnlyList<System.Net.IPNetwork> Networks);
}
