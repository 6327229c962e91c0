using System.Net;
using System.Text;
using System.Text.Json;

namespace Pingvas.Server.Tests.Infrastructure;

/// <summary>Reads an RFC 9457 answer and checks what every error must be: problem+json, a stable code, no stack trace.</summary>
public static class ProblemAssert
{
    public static async Task<ProblemBody> ReadAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} {code}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        NoStackTrace(body);
        var problem = JsonSerializer.Deserialize<ProblemBody>(body, Json.Options)!;
        Assert.True(problem.Code == code, $"Expected code {code}: {body}");
        Assert.Equal((int)status, problem.Status);
        Assert.False(string.IsNullOrWhiteSpace(problem.Title));
        return problem;
    }

    /// <summary>A 400 validation_failed problem whose errors name exactly <paramref name="fields"/>.</summary>
    public static async Task<ProblemBody> ValidationAsync(HttpResponseMessage response, params string[] fields)
    {
        var problem = await ReadAsync(response, HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(problem.Errors);
        Assert.Equal(fields.Order(StringComparer.Ordinal), problem.Errors!.Keys.Order(StringComparer.Ordinal));
        Assert.All(problem.Errors.Values, messages => Assert.NotEmpty(messages));
        return problem;
    }

    public static void NoStackTrace(string body)
    {
        Assert.DoesNotContain("   at ", body);
        Assert.DoesNotContain("Exception", body);
    }

    /// <summary>A request body sent exactly as written, for malformed JSON and wrong content types.</summary>
    public static StringContent Raw(string body, string mediaType = "application/json") => new(body, Encoding.UTF8, mediaType);
}
