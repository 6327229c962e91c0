using System.Text.Json.Serialization;

using Microsoft.EntityFrameworkCore;

using Pingvas.Engines;
using Pingvas.Engines.Procedural;
using Pingvas.Server.Accounts;
using Pingvas.Server.Catalog;
using Pingvas.Server.Credits;
using Pingvas.Server.Data;
using Pingvas.Server.Generation;
using Pingvas.Server.Queue;
using Pingvas.Server.Realtime;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Hosting;

/// <summary>Everything the host needs, feature by feature. Which parts run is decided by the role.</summary>
public static class ServiceRegistration
{
    public static void AddPingvas(this WebApplicationBuilder builder, PingvasRole role)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        var paths = DataPaths.From(configuration);
        var provider = DatabaseProvider(configuration);
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

        if (provider == "postgres" && configuration.GetConnectionString("Database") is { } postgres)
        {
            TenantSessionInterceptor.EnsurePoolResets(postgres);
        }

        // Row-level security (PostgreSQL): each context keys its commands to its scope's tenant.
        services.AddScoped<DatabaseTenant>();
        services.AddScoped<TenantSessionInterceptor>();
        services.AddDbContext<PingvasDb>((sp, options) =>
        {
            var connection = configuration.GetConnectionString("Database");
            if (provider == "postgres")
            {
                options.UseNpgsql(WithPreparedStatements(connection ?? throw new InvalidOperationException("Database__Provider is postgres: set ConnectionStrings__Database.")));
                options.AddInterceptors(sp.GetRequiredService<TenantSessionInterceptor>());
            }
            else
            {
                options.UseSqlite(connection ?? $"Data Source={paths.Database};Foreign Keys=True;Default Timeout=30");
            }
        });
        services.AddScoped<MigrationRunner>();

        services.AddPingvasProblems();
        services.AddPingvasAuth();
        services.AddPingvasRateLimits(configuration);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.SerializerOptions.Converters.Add(new UtcDateTimeConverter());
        });
        services.AddSignalR().AddJsonProtocol(o =>
        {
            o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.PayloadSerializerOptions.Converters.Add(new UtcDateTimeConverter());
        });
        services.AddOpenApi();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");

        services.AddScoped<TokenService>();
        services.AddScoped<MeService>();
        services.AddScoped<Ledger>();
        services.AddScoped<PlanPeriods>();
        services.AddScoped<GenerationService>();
        services.AddSingleton<GenerationMapper>();
        services.AddPingvasStorage(configuration, paths);
        if (provider == "postgres" && role != PingvasRole.Migrate)
        {
            // Several processes share the database: events, wake-ups and cancels travel by LISTEN/NOTIFY.
            services.AddPostgresEvents(configuration, role, configuration.GetConnectionString("Database")
                ?? throw new InvalidOperationException("Database__Provider is postgres: set ConnectionStrings__Database."));
        }
        else
        {
            services.AddSingleton<IGenerationEvents, HubGenerationEvents>();
            services.AddSingleton(IQueueBroadcast.None);
        }

        services.Configure<QueueOptions>(configuration.GetSection("Queue"));
        services.Configure<WorkerOptions>(configuration.GetSection("Worker"));
        var grace = configuration.GetValue("Worker:ShutdownGraceSeconds", new WorkerOptions().ShutdownGraceSeconds);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(grace + 10));
        services.AddSingleton<QueueSignal>();
        services.AddSingleton<QueueSnapshot>();
        services.AddSingleton<CatalogCache>();
        services.AddSingleton<CancellationRegistry>();
        services.AddScoped<QueueReader>();
        services.AddScoped<JobClaimer>();
        services.AddScoped<JobRunner>();
        services.AddScoped<JobProgress>();
        services.AddScoped<ImageOutputs>();

        var procedural = configuration.GetSection("Engines:Procedural").Get<ProceduralEngineOptions>() ?? new ProceduralEngineOptions();
        services.AddSingleton(procedural);
        services.AddSingleton<IImageEngine, ProceduralEngine>();
        services.AddSingleton<EngineDirectory>();

        if (role is PingvasRole.Serve or PingvasRole.Worker)
        {
            services.AddHostedService<WorkerPool>();
            services.AddHostedService<QueueRecovery>();
        }
    }

    /// <summary>
    /// Lets Npgsql prepare the statements the server repeats (each submit and claim runs the same
    /// few), and has PostgreSQL keep one generic plan for each: left to choose, it kept re-planning
    /// the claim for every call (2–3 ms of planning for 0.4 ms of work). Operator settings win.
    /// </summary>
    internal static string WithPreparedStatements(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!builder.ContainsKey("Max Auto Prepare"))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        if (string.IsNullOrEmpty(builder.Options))
        {
            builder.Options = "-c plan_cache_mode=force_generic_plan";
        }

        return builder.ConnectionString;
    }

    public static string DatabaseProvider(IConfiguration configuration) =>
        (configuration["Database:Provider"] ?? "sqlite").ToLowerInvariant() switch
        {
            "sqlite" => "sqlite",
            "postgres" or "postgresql" => "postgres",
            var other => throw new InvalidOperationException($"Database__Provider must be sqlite or postgres, not '{other}'."),
        };
}
