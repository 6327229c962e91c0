namespace Pingvas.Server.Sharing;

public static class SharingSetup
{
    public static IServiceCollection AddSharing(this IServiceCollection services)
    {
        services.AddScoped<ShareService>();
        services.AddScoped<PublicShareService>();
        services.AddSingleton<ShareCookies>();
        services.AddSingleton<ShareViewPruner>();
        services.AddHostedService(sp => sp.GetRequiredService<ShareViewPruner>());
        return services;
    }
}
