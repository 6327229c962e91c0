using System.Text.Json;
using System.Text.Json.Nodes;

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>One API call a fake provider received: what it was sent and what it answered.</summary>
public sealed record FakeApiRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body, int Status)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The body as JSON (Lemon Squeezy), null when it is not JSON.</summary>
    public JsonNode? Json
    {
        get
        {
            try
            {
                return string.IsNullOrEmpty(Body) ? null : JsonNode.Parse(Body);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>The body as decoded form fields (Stripe), e.g. <c>Form["line_items[0][price]"]</c>.</summary>
    public IReadOnlyDictionary<string, string> Form =>
        QueryHelpers.ParseQuery(Body).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);

    internal static async Task<(string Body, Dictionary<string, string> Headers)> ReadAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        return (body, headers);
    }
}

/// <summary>One webhook a fake provider sent (or would have sent, when no URL is set) and how the receiver answered.</summary>
public sealed record FakeWebhookDelivery(string EventName, string Body, IReadOnlyDictionary<string, string> Headers, int? Status)
{
    public JsonNode Json => JsonNode.Parse(Body)!;
}
