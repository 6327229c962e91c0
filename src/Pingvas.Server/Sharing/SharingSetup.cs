namespace Pingvas.Server.Sharing;

public static class SharingSetup
{
    public static IServiceCollection AddSharing(this IServiceCollection services)
    {
        services.AddScoped<ShareService>();
        services.AddScoped<PublicShareService>();
        services.AddSingleton<ShareCookies>();
        return services;
    }
}
