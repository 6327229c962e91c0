using System.Text.Json;

using Pingvas.Server.Outbox;

namespace Pingvas.Server.Email;

/// <summary>The kinds of email we send; each has a Korean and an English template.</summary>
public static class EmailKinds
{
    public const string Welcome = "welcome";
    public const string VerifyEmail = "verify_email";
    public const string PasswordReset = "password_reset";
    public const string EmailChanged = "email_changed";
    public const string CreditsLow = "credits_low";
    public const string CreditsExhausted = "credits_exhausted";
    public const string SubscriptionStarted = "subscription_started";
    public const string SubscriptionChanged = "subscription_changed";
    public const string SubscriptionCancelled = "subscription_cancelled";
    public const string SubscriptionRenewed = "subscription_renewed";
    public const string PaymentFailed = "payment_failed";
    public const string ExportReady = "export_ready";
    public const string BatchFinished = "batch_finished";
    public const string JobFailed = "job_failed";
    public const string WebhookDisabled = "webhook_disabled";
}

/// <summary>
/// One email to send, as it sits in the outbox: who it is for, which template, and the values the
/// template fills in. The recipient's address and language are read when it is delivered, except
/// for <paramref name="To"/>, set when the message must go to an address that is not (yet) the
/// account's own (a change of email).
/// </summary>
public sealed record EmailRequest(string Kind, Guid UserId, IReadOnlyDictionary<string, string> Data, string? To = null);

/// <summary>Queues emails in the outbox, so they commit with the change that causes them, or not at all.</summary>
public static class EmailOutbox
{
    public const string Topic = "email";

    public static OutboxMessage Enqueue(this OutboxWriter outbox, EmailRequest request) =>
        outbox.Add(Topic, request.UserId, JsonSerializer.Serialize(request, JsonSerializerOptions.Web));
}
