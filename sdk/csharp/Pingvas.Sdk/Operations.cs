namespace Pingvas.Sdk;

/// <summary>One API operation: its OpenAPI <c>operationId</c>, method and path template (path parameters as <c>{id}</c>).</summary>
public sealed record Operation(string Id, string Method, string Path)
{
    /// <summary>The path with <c>{id}</c> filled in (escaped).</summary>
    public string PathFor(string? id = null) =>
        id is null ? Path : Path.Replace("{id}", Uri.EscapeDataString(id), StringComparison.Ordinal);
}

/// <summary>
/// Every call the SDK makes, one per line, as the OpenAPI document names them. The clients take
/// method and path from here only, so a test comparing this table with the document covers them all.
/// </summary>
public static class Operations
{
    public static readonly Operation CreateGeneration = new("createGeneration", "POST", "/api/v1/generations");
    public static readonly Operation ListGenerations = new("listGenerations", "GET", "/api/v1/generations");
    public static readonly Operation GetGeneration = new("getGeneration", "GET", "/api/v1/generations/{id}");
    public static readonly Operation CancelGeneration = new("cancelGeneration", "POST", "/api/v1/generations/{id}/cancel");
    public static readonly Operation EstimateGeneration = new("estimateGeneration", "POST", "/api/v1/generations/estimate");
    public static readonly Operation StreamGenerationEvents = new("streamGenerationEvents", "GET", "/api/v1/generations/{id}/events");
    public static readonly Operation StreamAllGenerationEvents = new("streamAllGenerationEvents", "GET", "/api/v1/generations/events");
    public static readonly Operation ListModels = new("listModels", "GET", "/api/v1/models");
    public static readonly Operation ListImages = new("listImages", "GET", "/api/v1/images");
    public static readonly Operation GetImage = new("getImage", "GET", "/api/v1/images/{id}");
    public static readonly Operation GetImageContent = new("getImageContent", "GET", "/api/v1/images/{id}/content");
    public static readonly Operation ListWebhookEndpoints = new("listWebhookEndpoints", "GET", "/api/v1/webhook-endpoints");
    public static readonly Operation CreateWebhookEndpoint = new("createWebhookEndpoint", "POST", "/api/v1/webhook-endpoints");
    public static readonly Operation GetWebhookEndpoint = new("getWebhookEndpoint", "GET", "/api/v1/webhook-endpoints/{id}");
    public static readonly Operation DeleteWebhookEndpoint = new("deleteWebhookEndpoint", "DELETE", "/api/v1/webhook-endpoints/{id}");
    public static readonly Operation RotateWebhookEndpointSecret = new("rotateWebhookEndpointSecret", "POST", "/api/v1/webhook-endpoints/{id}/rotate-secret");
    public static readonly Operation ListWebhookDeliveries = new("listWebhookDeliveries", "GET", "/api/v1/webhook-endpoints/{id}/deliveries");

    /// <summary>The table above, in order.</summary>
    public static IReadOnlyList<Operation> All { get; } =
    [
        CreateGeneration, ListGenerations, GetGeneration, CancelGeneration, EstimateGeneration, StreamGenerationEvents,
        StreamAllGenerationEvents, ListModels, ListImages, GetImage, GetImageContent, ListWebhookEndpoints, CreateWebhookEndpoint,
        GetWebhookEndpoint, DeleteWebhookEndpoint, RotateWebhookEndpointSecret, ListWebhookDeliveries,
    ];
}
