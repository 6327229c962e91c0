namespace Pingvas.Server.Gallery;

public static class GallerySetup
{
    public static IServiceCollection AddGallery(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton((configuration.GetSection(GalleryOptions.Section).Get<GalleryOptions>() ?? new GalleryOptions()).Validate());
        services.AddScoped<FolderService>();
        services.AddScoped<ImageOrganizer>();
        services.AddScoped<Trash>();
        services.AddScoped<TagService>();

        // Every serving process purges the trash (migrate never starts hosted services).
        services.AddSingleton<TrashPurge>();
        services.AddHostedService(sp => sp.GetRequiredService<TrashPurge>());
        return services;
    }
}
