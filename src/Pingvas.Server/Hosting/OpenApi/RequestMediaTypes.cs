namespace Pingvas.Server.Hosting.OpenApi;

/// <summary>
/// Endpoint metadata for the document only: the media types of a body the handler reads itself.
/// Not <c>.Accepts(...)</c>: that also filters routing by Content-Type, so a wrong type would meet a
/// bare 415 endpoint (without the route's API-key access) instead of the handler's own answer.
/// </summary>
public sealed record RequestMediaTypes(IReadOnlyList<string> ContentTypes);

public static class RequestMediaTypesExtensions
{
    public static TBuilder RequestMediaTypes<TBuilder>(this TBuilder builder, params string[] contentTypes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestMediaTypes(contentTypes));
}
