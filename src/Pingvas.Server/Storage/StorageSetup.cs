using Pingvas.Server.Hosting;

namespace Pingvas.Server.Storage;

/// <summary>Picks the object store by <c>Storage:Provider</c>: <c>local</c> (the data folder, default) or <c>s3</c>.</summary>
public static class StorageSetup
{
    public static IServiceCollection AddPingvasStorage(this IServiceCollection services, IConfiguration configuration, DataPaths paths)
    {
        // The files route and its signer stay on every provider: with S3 it simply serves through the store.
        services.AddSingleton<UrlSigner>();
        services.AddScoped<StorageQuota>();
        var provider = Provider(configuration);
        var cloudFront = configuration.GetSection(CloudFrontOptions.Section).Get<CloudFrontOptions>() ?? new CloudFrontOptions();
        switch (provider)
        {
            case "s3":
                // Validated here so a bad setting stops the process at startup, not on the first image.
                var options = (configuration.GetSection(S3StorageOptions.Section).Get<S3StorageOptions>() ?? new S3StorageOptions()).Validate();
                services.AddSingleton(options);
                services.AddSingleton(_ => new S3ObjectStore(options));
                services.AddSingleton<IObjectStore>(sp => sp.GetRequiredService<S3ObjectStore>());
                // The one place that decides what URL a browser gets: CloudFront-signed when configured, else S3-presigned.
                if (cloudFront.Enabled)
                {
                    var key = cloudFront.LoadKey(provider);
                    services.AddSingleton<IObjectUrls>(sp => new CloudFrontUrls(cloudFront, key, TimeSpan.FromSeconds(options.PresignSeconds), sp.GetRequiredService<TimeProvider>()));
                }
                else
                {
                    services.AddSingleton<IObjectUrls>(sp => sp.GetRequiredService<S3ObjectStore>());
                }

                break;
            default:
                if (cloudFront.Enabled)
                {
                    cloudFront.LoadKey(provider).Dispose();
                }

                services.AddSingleton<IObjectStore>(new LocalObjectStore(paths.Objects));
                services.AddSingleton<IObjectUrls, LocalObjectUrls>();
                break;
        }

        // Every serving process sweeps orphaned objects (migrate never starts hosted services).
        var sweep = (configuration.GetSection(OrphanSweepOptions.Section).Get<OrphanSweepOptions>() ?? new OrphanSweepOptions()).Validate();
        services.AddSingleton(sweep);
        services.AddSingleton<OrphanObjectSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<OrphanObjectSweeper>());
        return services;
    }

    public static string Provider(IConfiguration configuration) =>
        (configuration["Storage:Provider"] ?? "local").Trim().ToLowerInvariant() switch
        {
            "" or "local" => "local",
            "s3" => "s3",
            var other => throw new InvalidOperationException($"Storage__Provider must be local or s3, not '{other}'."),
        };
}
