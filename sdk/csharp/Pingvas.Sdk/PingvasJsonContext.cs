using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pingvas.Sdk;

/// <summary>Bodies of the requests that carry one.</summary>
internal sealed record CreateWebhookEndpointBody(string Url, IReadOnlyList<string> Events, string? Description);

internal sealed record RotateSecretBody(int? OverlapHours);

internal sealed record SecretBody(string Secret);

internal sealed record ItemsBody<T>(IReadOnlyList<T> Items);

/// <summary>Source-generated JSON (camelCase, web defaults; nulls are not sent) so the SDK needs no reflection.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Generation))]
[JsonSerializable(typeof(GenerationRequest))]
[JsonSerializable(typeof(GenerationEstimate))]
[JsonSerializable(typeof(Page<Generation>))]
[JsonSerializable(typeof(GalleryImage))]
[JsonSerializable(typeof(Page<GalleryImage>))]
[JsonSerializable(typeof(IReadOnlyList<ModelInfo>))]
[JsonSerializable(typeof(WebhookEndpoint))]
[JsonSerializable(typeof(ItemsBody<WebhookEndpoint>))]
[JsonSerializable(typeof(Page<WebhookDelivery>))]
[JsonSerializable(typeof(CreateWebhookEndpointBody))]
[JsonSerializable(typeof(RotateSecretBody))]
[JsonSerializable(typeof(SecretBody))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class PingvasJsonContext : JsonSerializerContext;
