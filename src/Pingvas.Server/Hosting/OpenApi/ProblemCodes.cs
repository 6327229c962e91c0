namespace Pingvas.Server.Hosting.OpenApi;

/// <summary>
/// Endpoint metadata: the problem <c>code</c>s this endpoint (or group) can answer with
/// <paramref name="Status"/>. The OpenAPI document lists them per response, and the conformance
/// tests refuse a problem whose code is not listed, so this stays next to the route it describes.
/// </summary>
public sealed record ProblemCodes(int Status, IReadOnlyList<string> Codes);

public static class ProblemCodesExtensions
{
    /// <summary>Documents that these endpoints can answer <paramref name="status"/> with each of <paramref name="codes"/>.</summary>
    public static TBuilder ProblemCodes<TBuilder>(this TBuilder builder, int status, params string[] codes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProblemCodes(status, codes));
}
