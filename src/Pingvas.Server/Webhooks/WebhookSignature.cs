using System.Security.Cryptography;
using System.Text;

namespace Pingvas.Server.Webhooks;

/// <summary>Standard Webhooks signing: <c>v1,</c> + base64 HMAC-SHA256 over <c>{id}.{timestamp}.{body}</c>.</summary>
public static class WebhookSignature
{
    public static string MessageId(Guid messageId) => $"msg_{messageId:N}";

    /// <summary>The <c>webhook-signature</c> header: one <c>v1,</c> signature per secret, space-separated.</summary>
    public static string Header(string messageId, long timestamp, string body, IEnumerable<string> secrets) =>
        string.Join(' ', secrets.Select(s => "v1," + Sign(messageId, timestamp, body, s)));

    public static string Sign(string messageId, long timestamp, string body, string secret)
    {
        var content = Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}");
        return Convert.ToBase64String(HMACSHA256.HashData(WebhookSecrets.KeyOf(secret), content));
    }
}
