using System.Text.Json;
using System.Text.Json.Nodes;

using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Pingvas.Server.Hosting.OpenApi;

/// <summary>The OpenAPI 3.1 document at <c>/openapi/v1.json</c> and its reference page at <c>/docs</c>.</summary>
public static class OpenApiSetup
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string DocsPath = "/docs";

    public static IServiceCollection AddPingvasOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi(o => o.AddSchemaTransformer(OpenApiSchemaFixes.Apply));
        services.AddSingleton<OpenApiDocumentCache>();
        return services;
    }

    public static WebApplication MapPingvasApiDocs(this WebApplication app)
    {
        app.MapGet(DocumentPath, async (OpenApiDocumentCache cache, CancellationToken ct) =>
            Results.Text(await cache.GetAsync(ct), "application/json; charset=utf-8")).ExcludeFromDescription();

        // Swagger UI's files are embedded in its package: the page works offline, with no CDN.
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = DocsPath.TrimStart('/');
            o.DocumentTitle = "Pingvas Studio API";
            o.SwaggerEndpoint(DocumentPath, "Pingvas Studio API v1");
            o.DisplayOperationId();
            o.ShowExtensions();
        });
        return app;
    }
}

/// <summary>Builds the finished document once: the routes do not change while the process runs.</summary>
public sealed class OpenApiDocumentCache(IServiceProvider services, IOptions<JsonOptions> json)
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private string? text;

    public async Task<string> GetAsync(CancellationToken ct)
    {
        if (text is not null)
        {
            return text;
        }

        await gate.WaitAsync(ct);
        try
        {
            if (text is null)
            {
                var generated = await services.GetRequiredKeyedService<IOpenApiDocumentProvider>("v1").GetOpenApiDocumentAsync(ct);
                var raw = await generated.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, ct);
                var document = JsonNode.Parse(raw)!.AsObject();
                OpenApiDocumentFinisher.Finish(document, OpenApiRoutes.All(services), json.Value.SerializerOptions);
                text = document.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
            }

            return text;
        }
        finally
        {
            gate.Release();
        }
    }
}
