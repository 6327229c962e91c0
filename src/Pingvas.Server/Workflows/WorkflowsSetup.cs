namespace Pingvas.Server.Workflows;

public static class WorkflowsSetup
{
    public static IServiceCollection AddWorkflows(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WorkflowsOptions>().Bind(configuration.GetSection("Workflows"));
        services.AddSingleton<WorkflowEnvironment>();
        services.AddScoped<WorkflowPreparer>();
        services.AddScoped<WorkflowLibrary>();
        services.AddScoped<SharedWorkflows>();
        return services;
    }
}
