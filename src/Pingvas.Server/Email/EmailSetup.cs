using System.Net.Mail;

using Pingvas.Server.Outbox;

namespace Pingvas.Server.Email;

public static class EmailSetup
{
    /// <summary>
    /// Email through the outbox: the templates, the SMTP sender and the handler of the
    /// <see cref="EmailOutbox.Topic"/> topic. The handler is registered even with email off, so
    /// messages written meanwhile (or by code that does not check) are dropped rather than retried.
    /// </summary>
    public static IServiceCollection AddEmail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EmailOptions>().Bind(configuration.GetSection("Email"))
            .Validate(o => !o.Enabled || MailAddress.TryCreate(o.From, out _), "Email__From must be an email address, e.g. \"Pingvas Studio <no-reply@example.com>\".")
            .Validate(o => o.DefaultLanguage is "ko" or "en", "Email__DefaultLanguage must be ko or en.")
            .ValidateOnStart();
        services.AddSingleton<EmailTemplates>();
        services.AddSingleton<IEmailSender, SmtpEmailSender>();
        services.AddScoped<IOutboxHandler, EmailOutboxHandler>();
        return services;
    }
}
