using System.Net;
using System.Net.Mail;
using System.Net.Mime;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

using Microsoft.Extensions.Options;

namespace Pingvas.Server.Email;

/// <summary>A rendered email, ready to send.</summary>
public sealed record OutgoingEmail(string To, string Subject, string Text, string Html);

public interface IEmailSender
{
    /// <summary>Sends one email; throws when the relay did not accept it (the outbox retries).</summary>
    Task SendAsync(OutgoingEmail email, CancellationToken ct);
}

/// <summary>
/// Sends through one SMTP relay with <see cref="SmtpClient"/>: a text/plain and a text/html
/// alternative (in that order, so clients prefer the HTML) and an empty body, STARTTLS unless
/// turned off, credentials when a user is set.
/// </summary>
public sealed class SmtpEmailSender(IOptions<EmailOptions> options) : IEmailSender
{
    /// <summary>The pinned thumbprint of the send in progress on this async flow (see <see cref="Validate"/>).</summary>
    private static readonly AsyncLocal<byte[]?> Pin = new();
    private static int installed;

    public async Task SendAsync(OutgoingEmail email, CancellationToken ct)
    {
        var settings = options.Value;
        var smtp = settings.Smtp;
        using var message = new MailMessage
        {
            From = new MailAddress(settings.From),
            Subject = email.Subject,
            SubjectEncoding = Encoding.UTF8,
            HeadersEncoding = Encoding.UTF8,
            Body = "",
        };
        message.To.Add(new MailAddress(email.To));
        message.AlternateViews.Add(AlternateView.CreateAlternateViewFromString(email.Text, Encoding.UTF8, MediaTypeNames.Text.Plain));
        message.AlternateViews.Add(AlternateView.CreateAlternateViewFromString(email.Html, Encoding.UTF8, MediaTypeNames.Text.Html));

        using var client = new SmtpClient(smtp.Host, smtp.Port)
        {
            EnableSsl = smtp.StartTls,
            DeliveryMethod = SmtpDeliveryMethod.Network,
            Timeout = smtp.TimeoutSeconds * 1000,
            UseDefaultCredentials = false,
        };
        if (!string.IsNullOrEmpty(smtp.User))
        {
            client.Credentials = new NetworkCredential(smtp.User, smtp.Password);
        }

        Pin.Value = ParseThumbprint(smtp.CertificateThumbprint);
        if (Pin.Value is not null)
        {
            InstallValidation();
        }

        try
        {
            await client.SendMailAsync(message, ct);
        }
        finally
        {
            Pin.Value = null;
        }
    }

    /// <summary>
    /// SmtpClient validates the relay's certificate only through the process-wide
    /// <see cref="ServicePointManager.ServerCertificateValidationCallback"/>. Ours keeps the
    /// system's verdict for every connection, and additionally accepts exactly the pinned
    /// certificate, and only for a send of ours that pinned it (an async-local): nothing is
    /// relaxed anywhere else. Installed only when a thumbprint is configured.
    /// </summary>
    private static void InstallValidation()
    {
        if (Interlocked.Exchange(ref installed, 1) == 0)
        {
            // Obsolete for HttpClient and WebRequest, but still the hook SmtpClient's STARTTLS reads.
#pragma warning disable SYSLIB0014
            ServicePointManager.ServerCertificateValidationCallback = Validate;
#pragma warning restore SYSLIB0014
        }
    }

    private static bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        return Pin.Value is { } pin && certificate is not null
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(certificate.GetRawCertData()), pin);
    }

    private static byte[]? ParseThumbprint(string? thumbprint)
    {
        if (string.IsNullOrWhiteSpace(thumbprint))
        {
            return null;
        }

        var hex = thumbprint.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        var bytes = Convert.FromHexString(hex);
        return bytes.Length == 32 ? bytes : throw new InvalidOperationException("Email__Smtp__CertificateThumbprint must be a SHA-256 thumbprint (64 hex digits).");
    }
}
