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

        if (IsRequestBody(type) && schema.Required is { Count: > 0 } required)
        {
            // A missing member binds as null and the handler answers validation_failed for it: on the
            // wire a nullable member of a request is optional, whatever the constructor says.
            foreach (var property in context.JsonTypeInfo.Properties.Where(p => p.IsSetNullable || Nullable.GetUnderlyingType(p.PropertyType) is not null))
            {
                required.Remove(property.Name);
            }
        }

        return Task.CompletedTask;
    }

    private static bool IsRequestBody(Type type) =>
        type.Name.EndsWith("Request", StringComparison.Ordinal) || type.Name.EndsWith("Patch", StringComparison.Ordinal) || type.Name.StartsWith("Rename", StringComparison.Ordinal);
}
