namespace Pingvas.Server.Uploads;

public static class UploadsSetup
{
    public static IServiceCollection AddUploads(this IServiceCollection services)
    {
        services.AddScoped<UploadService>();
        return services;
    }
}
