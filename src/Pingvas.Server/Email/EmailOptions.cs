namespace Pingvas.Server.Email;

/// <summary><c>Email__*</c> settings. Email is on only when <c>Email__Smtp__Host</c> is set.</summary>
public sealed class EmailOptions
{
    /// <summary>The sender, e.g. <c>Pingvas Studio &lt;no-reply@pingvas.studio&gt;</c>.</summary>
    public string From { get; set; } = "Pingvas Studio <no-reply@localhost>";

    /// <summary>The language of an email to an account that never chose one and gave no hint (ko or en).</summary>
    public string DefaultLanguage { get; set; } = "en";

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>
    /// With no SMTP server (the embedded default) nothing can be mailed: addresses count as
    /// verified at sign-up and emails are dropped when their outbox message is delivered.
    /// </summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Smtp.Host);
}

/// <summary><c>Email__Smtp__*</c>: one SMTP relay (Amazon SES, SendGrid, a local server) reached with STARTTLS.</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }

    /// <summary>587: submission with STARTTLS, as SES and SendGrid offer it.</summary>
    public int Port { get; set; } = 587;

    /// <summary>Credentials are sent (after STARTTLS) only when a user is set.</summary>
    public string? User { get; set; }

    public string? Password { get; set; }

    /// <summary>Upgrade the connection with STARTTLS before anything else; only a relay on the same host may go without.</summary>
    public bool StartTls { get; set; } = true;

    /// <summary>
    /// For a self-hosted relay or a test server with a self-signed certificate: the SHA-256
    /// thumbprint (hex) of the one certificate to accept besides those the system trusts. Unset,
    /// only certificates valid for the system are accepted.
    /// </summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary>How long one delivery may take before it fails (and is retried by the outbox).</summary>
    public int TimeoutSeconds { get; set; } = 30;
}
