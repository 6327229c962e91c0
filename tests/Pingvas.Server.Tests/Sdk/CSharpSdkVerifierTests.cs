using Pingvas.Sdk;

namespace Pingvas.Server.Tests.Sdk;

/// <summary>The SDK's Standard Webhooks verifier, against the specification's published test vector and messages it signs itself.</summary>
public sealed class CSharpSdkVerifierTests
{
    // The test vector of the Standard Webhooks specification (its reference libraries' tests).
    private const string SpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SpecId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long SpecTimestamp = 1614265330;
    private const string SpecBody = """{"test": 2432232314}""";
    private const string SpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static readonly DateTimeOffset SpecNow = DateTimeOffset.FromUnixTimeSeconds(SpecTimestamp);

    private static Dictionary<string, string> Headers(string id = SpecId, long timestamp = SpecTimestamp, string signature = SpecSignature) =>
        new() { ["webhook-id"] = id, ["webhook-timestamp"] = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), ["webhook-signature"] = signature };

    [Fact]
    public void The_specifications_test_vector_verifies_and_signs_the_same()
    {
        WebhookVerifier.Verify(SpecSecret, Headers(), SpecBody, SpecNow);
        Assert.Equal(SpecSignature, WebhookVerifier.Sign(SpecSecret, SpecId, SpecTimestamp, SpecBody));

        // Header names in any case, the secret without its prefix, and the raw bytes all verify too.
        var upper = Headers().ToDictionary(h => h.Key.ToUpperInvariant(), h => h.Value);
        WebhookVerifier.Verify(SpecSecret["whsec_".Length..], upper, System.Text.Encoding.UTF8.GetBytes(SpecBody), SpecNow.AddMinutes(4));
    }

    [Fact]
    public void A_changed_body_id_or_timestamp_or_another_secret_is_refused()
    {
        Assert.Throws<WebhookVerificationException>(() => WebhookVerifier.Verify(SpecSecret, Headers(), """{"test": 2432232315}""", SpecNow));
        Assert.Throws<WebhookVerificationException>(() => WebhookVerifier.Verify(SpecSecret, Headers(id: "msg_other"), SpecBody, SpecNow));
        Assert.Throws<WebhookVerificationException>(() => WebhookVerifier.Verify(SpecSecret, Headers(timestamp: SpecTimestamp + 1), SpecBody, SpecNow));
        var other = "whsec_" + Convert.ToBase64String(new byte[32]);
        Assert.Throws<WebhookVerificationException>(() => WebhookVerifier.Verify(other, Headers(), SpecBody, SpecNow));
        Assert.Throws<WebhookVerificationException>(() => WebhookVerifier.Verify(SpecSecret, Headers(signature: "v1,not-base64!"), SpecBody, SpecNow));
        Assert.Throws<WebhookVerificationException>(() => WebhookVerifier.Verify(SpecSecret, Headers(signature: SpecSignature.Replace("v1,", "v2,", StringComparison.Ordinal)), SpecBody, SpecNow));
    }

    [Fact]
    public void The_timestamp_must_be_within_five_minutes_either_way()
    {
        WebhookVerifier.Verify(SpecSecret, Headers(), SpecBody, SpecNow.AddSeconds(299));
        WebhookVerifier.Verify(SpecSecret, Headers(), SpecBody, SpecNow.AddSeconds(-299));
        var old = Assert.Throws<WebhookVerificationException>(() => WebhookVerifier.Verify(SpecSecret, Headers(), SpecBody, SpecNow.AddSeconds(301)));
        Assert.Contains("too old", old.Message, StringComparison.Ordinal);
        Assert.Throws<WebhookVerificationException>(() => WebhookVerifier.Verify(SpecSecret, Headers(), SpecBody, SpecNow.AddSeconds(-301)));
        Assert.Throws<WebhookVerificationException>(() => WebhookVerifier.Verify(SpecSecret, Headers(), SpecBody, null)); // 2021 is long past.
    }

    [Fact]
    public void Missing_or_malformed_headers_are_refused_with_the_header_named()
    {
        foreach (var name in new[] { "webhook-id", "webhook-timestamp", "webhook-signature" })
        {
            var headers = Headers();
            headers.Remove(name);
            var e = Assert.Throws<WebhookVerificationException>(() => WebhookVerifier.Verify(SpecSecret, headers, SpecBody, SpecNow));
            Assert.Contains(name, e.Message, StringComparison.Ordinal);
        }

        var notANumber = Headers();
        notANumber["webhook-timestamp"] = "soon";
        Assert.Throws<WebhookVerificationException>(() => WebhookVerifier.Verify(SpecSecret, notANumber, SpecBody, SpecNow));
        Assert.Throws<ArgumentException>(() => WebhookVerifier.Verify("whsec_***", Headers(), SpecBody, SpecNow));
    }

    [Fact]
    public void During_a_rotation_either_of_two_signatures_verifies()
    {
        var oldSecret = "whsec_" + Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        var newSecret = "whsec_" + Convert.ToBase64String(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());
        var now = DateTimeOffset.UtcNow;
        var timestamp = now.ToUnixTimeSeconds();
        const string body = """{"type":"generation.succeeded","data":{"id":"x"}}""";
        var both = $"{WebhookVerifier.Sign(newSecret, "msg_1", timestamp, body)} {WebhookVerifier.Sign(oldSecret, "msg_1", timestamp, body)}";
        WebhookVerifier.Verify(oldSecret, Headers("msg_1", timestamp, both), body, now);
        WebhookVerifier.Verify(newSecret, Headers("msg_1", timestamp, both), body, now);
        var third = "whsec_" + Convert.ToBase64String(new byte[32]);
        Assert.Throws<WebhookVerificationException>(() => WebhookVerifier.Verify(third, Headers("msg_1", timestamp, both), body, now));
    }
}
