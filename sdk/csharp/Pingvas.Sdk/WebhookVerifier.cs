using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pingvas.Sdk;

/// <summary>
/// Checks a webhook per the Standard Webhooks specification: HMAC-SHA256 with the <c>whsec_</c>
/// secret's base64-decoded bytes over <c>{webhook-id}.{webhook-timestamp}.{body}</c>, compared in
/// constant time with each space-separated <c>v1,&lt;base64&gt;</c> of <c>webhook-signature</c>
/// (two during a secret rotation), and a timestamp within 5 minutes of now (replays are refused).
/// </summary>
public static class WebhookVerifier
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>Throws <see cref="WebhookVerificationException"/> unless <paramref name="body"/> (the raw request body) was signed with <paramref name="secret"/>.</summary>
    /// <param name="secret">The endpoint's secret, <c>whsec_…</c>.</param>
    /// <param name="headers">The request's headers, any case (e.g. <c>request.Headers.Select(h => KeyValuePair.Create(h.Key, h.Value.ToString()))</c>).</param>
    /// <param name="body">The raw request body, exactly as received (not re-serialised).</param>
    /// <param name="now">The time to check the timestamp against; the system clock when null.</param>
    public static void Verify(string secret, IEnumerable<KeyValuePair<string, string>> headers, string body, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        Verify(secret, headers, Encoding.UTF8.GetBytes(body), now);
    }

    /// <summary>The same over the body's raw bytes.</summary>
    public static void Verify(string secret, IEnumerable<KeyValuePair<string, string>> headers, byte[] body, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(body);
        var key = Key(secret);
        var lookup = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            lookup[name] = value;
        }

        var id = Required(lookup, "webhook-id");
        var timestamp = Required(lookup, "webhook-timestamp");
        var signatures = Required(lookup, "webhook-signature");
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            throw new WebhookVerificationException("The webhook-timestamp header is not a Unix time.");
        }

        var sentAt = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799));
        var age = (now ?? DateTimeOffset.UtcNow) - sentAt;
        if (age > Tolerance)
        {
            throw new WebhookVerificationException("The webhook is too old (webhook-timestamp more than 5 minutes ago).");
        }

        if (age < -Tolerance)
        {
            throw new WebhookVerificationException("The webhook's timestamp is too far in the future.");
        }

        var expected = Sign(key, id, timestamp, body);
        foreach (var entry in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var comma = entry.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0 || entry[..comma] != "v1")
            {
                continue; // Another scheme (e.g. v1a): not ours to check.
            }

            if (TryBase64(entry[(comma + 1)..]) is { } given && CryptographicOperations.FixedTimeEquals(given, expected))
            {
                return;
            }
        }

        throw new WebhookVerificationException("No v1 signature of webhook-signature matches the body.");
    }

    /// <summary>The <c>v1,…</c> signature of a message, as a sender writes it (for tests of receivers).</summary>
    public static string Sign(string secret, string id, long timestamp, string body) =>
        "v1," + Convert.ToBase64String(Sign(Key(secret), id, timestamp.ToString(CultureInfo.InvariantCulture), Encoding.UTF8.GetBytes(body)));

    private static byte[] Sign(byte[] key, string id, string timestamp, byte[] body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content, prefix.Length);
        return HMACSHA256.HashData(key, content);
    }

    private static byte[] Key(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var encoded = secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret["whsec_".Length..] : secret;
        return TryBase64(encoded) is { Length: > 0 } key
            ? key
            : throw new ArgumentException("The secret is not whsec_ followed by base64.", nameof(secret));
    }

    private static string Required(Dictionary<string, string> headers, string name) =>
        headers.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value)
            ? value.Trim()
            : throw new WebhookVerificationException($"The {name} header is missing.");

    private static byte[]? TryBase64(string text)
    {
        var bytes = new byte[text.Length];
        return Convert.TryFromBase64String(text, bytes, out var written) ? bytes[..written] : null;
    }
}
