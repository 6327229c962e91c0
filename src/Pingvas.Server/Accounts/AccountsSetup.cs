namespace Pingvas.Server.Accounts;

public static class AccountsSetup
{
    /// <summary>Tokens and the profile; authentication itself is <see cref="Hosting.AuthSetup.AddPingvasAuth"/>.</summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services)
    {
        services.AddScoped<TokenService>();
        services.AddScoped<MeService>();
        services.AddScoped<TotpService>();
        services.AddSingleton<TotpChallenge>();
        services.AddScoped<AccountService>();
        return services;
    }
}
