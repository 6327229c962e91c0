using System.Net.Mail;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Outbox;

namespace Pingvas.Server.Email;

/// <summary>
/// Delivers the outbox's <see cref="EmailOutbox.Topic"/> messages: reads the account (address,
/// name, language) at delivery, renders the template and sends it. A failure to reach or be
/// accepted by the relay throws, so the outbox retries with backoff; a message that can never be
/// sent (unknown kind, account gone, recipient refused, unreadable payload) is logged and dropped,
/// so it never occupies retries. With email off (no <c>Email__Smtp__Host</c>) messages are dropped
/// with a log line: the outbox prunes them like any delivered message and never fills up.
/// </summary>
public sealed class EmailOutboxHandler(
    PingvasDb db, EmailTemplates templates, IEmailSender sender, IOptions<EmailOptions> options, ILogger<EmailOutboxHandler> logger,
    Telemetry.PingvasMetrics metrics) : IOutboxHandler
{
    /// <summary>A data key a request may carry: the language of the request that caused it (Accept-Language), for accounts that never chose one.</summary>
    public const string LanguageHint = "languageHint";

    public string Topic => EmailOutbox.Topic;

    public async Task DeliverAsync(OutboxMessage message, CancellationToken ct)
    {
        EmailRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<EmailRequest>(message.Payload, JsonSerializerOptions.Web);
        }
        catch (JsonException ex)
        {
            logger.LogError(ex, "Dropping email message {Id}: its payload is not an email request", message.Id);
            return;
        }

        if (request is null || !EmailTemplates.IsKnown(request.Kind))
        {
            logger.LogError("Dropping email message {Id}: unknown kind {Kind}", message.Id, request?.Kind);
            return;
        }

        if (!options.Value.Enabled)
        {
            logger.LogInformation("Email is off (no Email__Smtp__Host): not sending {Kind} for user {UserId}", request.Kind, request.UserId);
            return;
        }

        // The outbox runs in system context: the account of any user is readable.
        var user = await db.Users.AsNoTracking().Where(u => u.Id == request.UserId)
            .Select(u => new { u.Email, u.Name, u.Language }).SingleOrDefaultAsync(ct);
        if (user is null)
        {
            logger.LogWarning("Dropping {Kind} email for user {UserId}: the account is gone", request.Kind, request.UserId);
            return;
        }

        var data = request.Data ?? new Dictionary<string, string>();
        var language = LanguageOf(user.Language, data.GetValueOrDefault(LanguageHint), options.Value.DefaultLanguage);
        var content = templates.Render(request.Kind, language, user.Name, data);
        try
        {
            await sender.SendAsync(new OutgoingEmail(request.To ?? user.Email, content.Subject, content.Text, content.Html), ct);
            metrics.Email(request.Kind, sent: true);
        }
        catch (SmtpFailedRecipientException ex) when ((int)ex.StatusCode is >= 500 and < 600)
        {
            metrics.Email(request.Kind, sent: false);
            // The relay refused the address for good (no such mailbox): trying again cannot help.
            logger.LogWarning("Dropping {Kind} email for user {UserId}: the relay refused the recipient ({Status})", request.Kind, request.UserId, ex.StatusCode);
            return;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // The outbox tries again later; this attempt still failed.
            metrics.Email(request.Kind, sent: false);
            throw;
        }

        logger.LogInformation("Sent {Kind} email ({Language}) for user {UserId}", request.Kind, language, request.UserId);
    }

    /// <summary>The account's language; else the hint of the request that caused the email; else the default.</summary>
    public static string LanguageOf(string? chosen, string? hint, string fallback)
    {
        if (chosen is "ko" or "en")
        {
            return chosen;
        }

        if (hint is "ko" or "en")
        {
            return hint;
        }

        return fallback == "ko" ? "ko" : "en";
    }

    /// <summary>ko or en from an Accept-Language header (the first of the two it names, by quality), or null.</summary>
    public static string? HintFrom(string? acceptLanguage)
    {
        if (string.IsNullOrWhiteSpace(acceptLanguage))
        {
            return null;
        }

        var ranked = acceptLanguage.Split(',')
            .Select((part, index) =>
            {
                var pieces = part.Split(';', StringSplitOptions.TrimEntries);
                var quality = pieces.Skip(1).Select(p => p.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                    && double.TryParse(p[2..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var q) ? q : 1.0).FirstOrDefault(1.0);
                return (Tag: pieces[0].ToLowerInvariant(), Quality: quality, Index: index);
            })
            .OrderByDescending(l => l.Quality).ThenBy(l => l.Index);
        foreach (var (tag, _, _) in ranked)
        {
            if (tag == "ko" || tag.StartsWith("ko-", StringComparison.Ordinal))
            {
                return "ko";
            }

            if (tag == "en" || tag.StartsWith("en-", StringComparison.Ordinal))
            {
                return "en";
            }
        }

        return null;
    }
}
