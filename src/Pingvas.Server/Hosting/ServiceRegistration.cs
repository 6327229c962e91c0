using System.Text.Json.Serialization;

using Pingvas.Server.Accounts;
using Pingvas.Server.Accounts.External;
using Pingvas.Server.Admin;
using Pingvas.Server.Billing;
using Pingvas.Server.Catalog;
using Pingvas.Server.Credits;
using Pingvas.Server.Data;
using Pingvas.Server.Email;
using Pingvas.Server.Gallery;
using Pingvas.Server.Generation;
using Pingvas.Server.Jobs;
using Pingvas.Server.Loras;
using Pingvas.Server.Notices;
using Pingvas.Server.Outbox;
using Pingvas.Server.Presets;
using Pingvas.Server.Queue;
using Pingvas.Server.Realtime;
using Pingvas.Server.Sharing;
using Pingvas.Server.Storage;
using Pingvas.Server.Telemetry;
using Pingvas.Server.Uploads;
using Pingvas.Server.Webhooks;
using Pingvas.Server.Workers;
using Pingvas.Server.Workflows;
using Pingvas.Server.Hosting.OpenApi;
using Pingvas.Server.YourData;

namespace Pingvas.Server.Hosting;

/// <summary>Everything the host needs, feature by feature (each feature registers itself). Which parts run is decided by the role.</summary>
public static class ServiceRegistration
{
    public static void AddPingvas(this WebApplicationBuilder builder, PingvasRole role)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        var paths = DataPaths.From(configuration);
        var provider = DataSetup.Provider(configuration);
        if (provider == "sqlite" && role is PingvasRole.Api or PingvasRole.Worker)
        {
            throw new InvalidOperationException(
                $"The {role.ToString().ToLowerInvariant()} role runs as one of several processes sharing a database: set Database__Provider=postgres " +
                "and ConnectionStrings__Database. On SQLite run `serve`, which holds the API and the workers in one process.");
        }

        services.AddSingleton(paths);
        services.AddSingleton(new HostRole(role));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => SigningKeys.Load(configuration, paths, embedded: provider == "sqlite" && role == PingvasRole.Serve,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<SigningKeys>()));
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.SerializerOptions.Converters.Add(new UtcDateTimeConverter());
        });
        services.AddPingvasOpenApi();
        services.AddPingvasProblems();
        services.AddPingvasAuth();
        services.AddPingvasRateLimits(configuration);

        services.AddData(configuration, paths);
        services.AddAccounts();
        services.AddExternalSignIn(configuration);
        services.AddAdmin(configuration);
        services.AddCatalog(configuration);
        services.AddCredits(configuration);
        services.AddJobs();
        services.AddGeneration();
        services.AddGallery(configuration);
        services.AddWorkflows(configuration);
        services.AddPresets();
        services.AddUploads();
        services.AddLoras(configuration);
        services.AddSharing();
        services.AddWorkerRegistry(configuration);
        services.AddQueue(configuration, role);
        services.AddOutbox(configuration);
        services.AddRealtime(configuration, role, provider);
        services.AddPingvasStorage(configuration, paths);
        services.AddRetention(configuration);
        services.AddBilling(configuration);
        services.Configure<AppOptions>(configuration.GetSection("App"));
        services.AddBillingProvider(configuration);
        services.AddEmail(configuration);
        services.AddAccountMail(provider);
        services.AddYourData(configuration);
        services.AddWebhooks(configuration);
        services.AddPingvasMetrics(configuration, role);
        services.AddPingvasTracing(role);
    }
}
