namespace Pingvas.Server.Tests.OpenApi;

/// <summary>A response that does not match the OpenAPI document.</summary>
public sealed class OpenApiViolationException(string message) : Exception("OpenAPI conformance: " + message);

/// <summary>
/// Installed on every HttpClient the test server makes (<c>PingvasServer.CreateClient</c>): each
/// response is checked against the server's OpenAPI document before the test sees it, and a
/// mismatch fails the test's call. Streams (<c>text/event-stream</c>) are checked by status and
/// content type only, and never buffered.
/// </summary>
public sealed class OpenApiCheckingHandler(Func<CancellationToken, Task<OpenApiValidator>> validator) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var path = request.RequestUri!.AbsolutePath;
        if (!path.StartsWith("/api/", StringComparison.Ordinal))
        {
            return response;
        }

        var contentType = response.Content.Headers.ContentType?.ToString();
        string? body = null;
        if (contentType is null || !contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            body = contentType is not null && contentType.Split(';')[0].EndsWith("json", StringComparison.OrdinalIgnoreCase)
                ? await response.Content.ReadAsStringAsync(cancellationToken)
                : (response.Content.Headers.ContentLength ?? (await response.Content.ReadAsByteArrayAsync(cancellationToken)).Length) > 0 ? "(binary)" : "";
        }

        var check = await validator(cancellationToken);
        if (check.CheckResponse(request.Method.Method, path, (int)response.StatusCode, contentType, body) is { } violation)
        {
            response.Dispose();
            throw new OpenApiViolationException(violation);
        }

        return response;
    }
}

/// <summary>The document, read once per test process from the first server that asks (every server serves the same routes).</summary>
public static class OpenApiDocumentSource
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static OpenApiValidator? validator;

    public static async Task<OpenApiValidator> GetAsync(Uri server, CancellationToken ct)
    {
        if (validator is { } known)
        {
            return known;
        }

        await Gate.WaitAsync(ct);
        try
        {
            if (validator is null)
            {
                using var client = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(60) };
                validator = new OpenApiValidator(await client.GetStringAsync("/openapi/v1.json", ct));
            }

            return validator;
        }
        finally
        {
            Gate.Release();
        }
    }
}
