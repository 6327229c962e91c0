namespace Pingvas.Server.Tests.OpenApi;

/// <summary>The operation ids the SDKs call (common brief of issue 13): fixed, with their method and path.</summary>
public static class FixedOperations
{
    public static readonly IReadOnlyDictionary<string, (string Method, string Path)> All = new Dictionary<string, (string, string)>
    {
        ["createGeneration"] = ("POST", "/api/v1/generations"),
        ["listGenerations"] = ("GET", "/api/v1/generations"),
        ["getGeneration"] = ("GET", "/api/v1/generations/{id}"),
        ["cancelGeneration"] = ("POST", "/api/v1/generations/{id}/cancel"),
        ["estimateGeneration"] = ("POST", "/api/v1/generations/estimate"),
        ["streamGenerationEvents"] = ("GET", "/api/v1/generations/{id}/events"),
        ["streamAllGenerationEvents"] = ("GET", "/api/v1/generations/events"),
        ["listModels"] = ("GET", "/api/v1/models"),
        ["listImages"] = ("GET", "/api/v1/images"),
        ["getImage"] = ("GET", "/api/v1/images/{id}"),
        ["getImageContent"] = ("GET", "/api/v1/images/{id}/content"),
        ["listWebhookEndpoints"] = ("GET", "/api/v1/webhook-endpoints"),
        ["createWebhookEndpoint"] = ("POST", "/api/v1/webhook-endpoints"),
        ["getWebhookEndpoint"] = ("GET", "/api/v1/webhook-endpoints/{id}"),
        ["deleteWebhookEndpoint"] = ("DELETE", "/api/v1/webhook-endpoints/{id}"),
        ["rotateWebhookEndpointSecret"] = ("POST", "/api/v1/webhook-endpoints/{id}/rotate-secret"),
        ["listWebhookDeliveries"] = ("GET", "/api/v1/webhook-endpoints/{id}/deliveries"),
    };
}
