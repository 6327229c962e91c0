namespace Pingvas.Server.Hosting.OpenApi;

/// <summary>Endpoint metadata: an example request body (<paramref name="Status"/> null) or response body for the document.</summary>
public sealed record OpenApiExample(int? Status, object Value);

public static class OpenApiExampleExtensions
{
    /// <summary>An example JSON request body, serialized like the API's own JSON.</summary>
    public static TBuilder RequestExample<TBuilder>(this TBuilder builder, object value)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new OpenApiExample(null, value));

    /// <summary>An example JSON response body for <paramref name="status"/>.</summary>
    public static TBuilder ResponseExample<TBuilder>(this TBuilder builder, int status, object value)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new OpenApiExample(status, value));
}
