using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

using Pingvas.Core.Text;

namespace Pingvas.Server.Hosting;

/// <summary>
/// Marks a string property that is not free text and may hold any character: a password is
/// hashed, never stored or shown, and refusing characters now would lock out accounts that use them.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class AnyTextAttribute : Attribute;

/// <summary>
/// Refuses control characters and unpaired surrogates (<see cref="FreeText"/>) in every string of
/// every JSON body of the API, once for all endpoints: strings, lists of strings and nested records
/// of the bound body are checked, and a bad one is a 400 validation_failed naming its JSON path.
/// </summary>
public static class TextFieldFilter
{
    private const int MaxDepth = 8;
    private static readonly ConcurrentDictionary<Type, Field[]> Shapes = new();

    public static RouteGroupBuilder WithTextFieldChecks(this RouteGroupBuilder group)
    {
        group.AddEndpointFilterFactory(Create);
        return group;
    }

    /// <summary>
    /// The field a JSON body failed on when System.Text.Json could not read its text: a lone
    /// surrogate escape such as "\ud800" or invalid UTF-8 fails binding before any filter runs.
    /// </summary>
    public static string? UnreadableTextField(BadHttpRequestException bad) =>
        bad.InnerException is JsonException { Path: { } path, InnerException: InvalidOperationException reader }
        && (reader.Message.Contains("UTF-16", StringComparison.Ordinal) || reader.Message.Contains("UTF-8", StringComparison.Ordinal))
        && path.StartsWith("$.", StringComparison.Ordinal)
            ? path[2..]
            : null;

    /// <summary>Field errors for the text in <paramref name="body"/>; empty when it is clean.</summary>
    public static Dictionary<string, string[]> Check(object? body)
    {
        var errors = new Dictionary<string, string[]>();
        CheckValue(body, "", errors, 0);
        return errors;
    }

    private static EndpointFilterDelegate Create(EndpointFilterFactoryContext factory, EndpointFilterDelegate next)
    {
        var parameters = factory.MethodInfo.GetParameters();
        var bodyIndex = -2;
        return async invocation =>
        {
            if (bodyIndex == -2)
            {
                // The framework records which parameter is the JSON body in the endpoint's metadata.
                var bodyType = invocation.HttpContext.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.RequestType;
                bodyIndex = bodyType is null ? -1 : Array.FindIndex(parameters, p => p.ParameterType == bodyType);
            }

            if (bodyIndex >= 0 && Check(invocation.Arguments[bodyIndex]) is { Count: > 0 } errors)
            {
                return Problems.Validation(errors);
            }

            return await next(invocation);
        };
    }

    private static void CheckValue(object? value, string path, Dictionary<string, string[]> errors, int depth)
    {
        if (value is null || depth > MaxDepth)
        {
            return;
        }

        if (value is string text)
        {
            if (!FreeText.IsAllowed(text))
            {
                errors[path.Length == 0 ? "body" : path] = [FreeText.Message];
            }

            return;
        }

        if (value is IEnumerable items)
        {
            var index = 0;
            foreach (var item in items)
            {
                CheckValue(item, $"{path}[{index++}]", errors, depth + 1);
            }

            return;
        }

        foreach (var field in Shapes.GetOrAdd(value.GetType(), Describe))
        {
            CheckValue(field.Property.GetValue(value), path.Length == 0 ? field.Name : $"{path}.{field.Name}", errors, depth + 1);
        }
    }

    /// <summary>The properties of a body type that can hold text: strings, lists of them, and our own nested records.</summary>
    private static Field[] Describe(Type type) =>
        [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && CanHoldText(p.PropertyType))
            .Where(p => p.GetCustomAttribute<AnyTextAttribute>() is null && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .Select(p => new Field(p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name), p))];

    private static bool CanHoldText(Type type)
    {
        if (type == typeof(string) || IsOwnRecord(type))
        {
            return true;
        }

        var element = type.IsArray ? type.GetElementType()
            : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
        return element is not null && (element == typeof(string) || IsOwnRecord(element));
    }

    /// <summary>A request type of ours (framework types such as JsonElement are not walked).</summary>
    private static bool IsOwnRecord(Type type) =>
        (type.IsClass || (type.IsValueType && !type.IsPrimitive && !type.IsEnum))
        && type.Namespace?.StartsWith("Pingvas", StringComparison.Ordinal) == true;

    private sealed record Field(string Name, PropertyInfo Property);
}
