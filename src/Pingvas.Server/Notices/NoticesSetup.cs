using Pingvas.Server.Accounts;
using Pingvas.Server.Outbox;

namespace Pingvas.Server.Notices;

public static class NoticesSetup
{
    /// <summary>
    /// The mailed-link account flows (verification, password reset, change of email) and the
    /// in-app notices with their hub event: straight to the hub in one process (SQLite), through
    /// <c>NOTIFY</c> between processes (PostgreSQL).
    /// </summary>
    public static IServiceCollection AddAccountMail(this IServiceCollection services, string databaseProvider)
    {
        services.AddScoped<AccountTokens>();
        services.AddScoped<AccountMail>();
        services.AddSingleton<AccountTokenPurge>();
        services.AddHostedService(sp => sp.GetRequiredService<AccountTokenPurge>());
        services.AddScoped<NoticeService>();
        services.AddScoped<CreditNotices>();
        services.AddScoped<CompletionNotices>();
        services.AddSingleton<NoticeForwarder>();
        services.AddScoped<IOutboxHandler, NoticeEventHandler>();
        if (databaseProvider == "postgres")
        {
            services.AddScoped<INoticeEvents, PostgresNoticeEvents>();
        }
        else
        {
            services.AddSingleton<INoticeEvents, HubNoticeEvents>();
        }

        return services;
    }
}
