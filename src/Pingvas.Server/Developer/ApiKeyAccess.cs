namespace Pingvas.Server.Developer;

/// <summary>The scopes an API key may carry (docs/developer-platform.md "Scopes").</summary>
public static class ApiScopes
{
    public const string Generate = "generate";
    public const string Read = "read";
    public const string GalleryWrite = "gallery:write";
    public const string Webhooks = "webhooks";

    public static readonly IReadOnlyList<string> All = [Generate, Read, GalleryWrite, Webhooks];
}

/// <summary>
/// Endpoint metadata: a request authenticated with an API key may reach this endpoint when the key
/// carries <paramref name="Scope"/>. Endpoints without it refuse every key (fail closed): account,
/// billing, key and admin routes never carry it.
/// </summary>
public sealed record ApiKeyAccess(string Scope);

public static class ApiKeyAccessExtensions
{
    /// <summary>Lets API keys with <paramref name="scope"/> reach these endpoints (sessions always can, as before).</summary>
    public static TBuilder AllowApiKey<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiKeyAccess(scope));
}
