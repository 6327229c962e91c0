namespace Pingvas.Sdk;

/// <summary>A webhook whose headers are missing, whose timestamp is too old or new, or whose signature does not match.</summary>
public sealed class WebhookVerificationException(string message) : Exception(message);
