using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Pingvas.Server.Hosting.OpenApi;

/// <summary>Corrects what the generator gets wrong for this API's JSON, so the schemas validate real answers strictly.</summary>
public static class OpenApiSchemaFixes
{
    public static Task Apply(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = context.JsonTypeInfo.Type;
        var underlying = Nullable.GetUnderlyingType(type);
        if ((underlying ?? type) == typeof(DateTime) || (underlying ?? type) == typeof(DateTimeOffset))
        {
            // The generator writes only a format; the wire form is an ISO 8601 string (null when optional).
            schema.Type = underlying is null ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
            schema.Format = "date-time";
        }

        if (schema.Type is { } t && t.HasFlag(JsonSchemaType.String) && (t.HasFlag(JsonSchemaType.Integer) || t.HasFlag(JsonSchemaType.Number)))
        {
            // The web defaults read numbers from strings too, but the server always writes numbers.
            schema.Type = t & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        return Task.CompletedTask;
    }
}
