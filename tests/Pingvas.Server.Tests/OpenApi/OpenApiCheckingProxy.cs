using System.Collections.Concurrent;
using System.Text;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pingvas.Server.Tests.OpenApi;

/// <summary>
/// A loopback HTTP proxy in front of a Pingvas server that checks what passes against the OpenAPI
/// document: each JSON request body against its operation's request schema, each response as
/// <see cref="OpenApiCheckingHandler"/> does. Violations are recorded, not raised, so a child
/// process (an SDK's test suite) pointed at <see cref="BaseAddress"/> runs to its end and the test
/// then asserts <see cref="Violations"/> is empty. Event streams pass through unbuffered.
/// </summary>
public sealed class OpenApiCheckingProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Host",
    };

    private readonly WebApplication app;
    private readonly HttpClient upstream;
    private readonly OpenApiValidator validator;
    private readonly ConcurrentQueue<string> violations = new();
    private readonly ConcurrentDictionary<string, int> seen = new();

    private OpenApiCheckingProxy(WebApplication app, Uri target, OpenApiValidator validator)
    {
        this.app = app;
        this.validator = validator;
        upstream = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = target, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Where clients should send their requests instead of the server.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<string> Violations => [.. violations];

    /// <summary>The operation ids of the requests that went through, with how often.</summary>
    public IReadOnlyDictionary<string, int> OperationIds => seen;

    public static async Task<OpenApiCheckingProxy> StartAsync(Uri target, OpenApiValidator? validator = null, CancellationToken ct = default)
    {
        validator ??= await OpenApiDocumentSource.GetAsync(target, ct);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var proxy = new OpenApiCheckingProxy(app, target, validator);
        app.Run(proxy.ForwardAsync);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy.BaseAddress = new Uri(address);
        return proxy;
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        var ct = context.RequestAborted;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, ct);
        var bytes = body.ToArray();
        var path = request.Path.Value ?? "/";
        if (validator.Find(request.Method, path) is { } operation)
        {
            seen.AddOrUpdate(operation.OperationId, 1, (_, n) => n + 1);
            Record(validator.CheckRequest(operation, request.ContentType, Encoding.UTF8.GetString(bytes)));
        }

        using var message = new HttpRequestMessage(new HttpMethod(request.Method), path + request.QueryString);
        if (bytes.Length > 0 || request.ContentType is not null)
        {
            message.Content = new ByteArrayContent(bytes);
        }

        foreach (var (name, values) in request.Headers.Where(h => !HopByHop.Contains(h.Key)))
        {
            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        using var response = await upstream.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers).Where(h => !HopByHop.Contains(h.Key)))
        {
            context.Response.Headers[name] = values.ToArray();
        }

        var contentType = response.Content.Headers.ContentType?.ToString();
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        if (contentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true)
        {
            Record(validator.CheckResponse(request.Method, path, (int)response.StatusCode, contentType, null));
            await context.Response.StartAsync(ct);
            var buffer = new byte[8192];
            int read;
            while ((read = await stream.ReadAsync(buffer, ct)) > 0)
            {
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), ct);
                await context.Response.Body.FlushAsync(ct);
            }

            return;
        }

        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, ct);
        var answer = copy.ToArray();
        var text = contentType?.Split(';')[0].EndsWith("json", StringComparison.OrdinalIgnoreCase) == true
            ? Encoding.UTF8.GetString(answer)
            : answer.Length > 0 ? "(binary)" : "";
        Record(validator.CheckResponse(request.Method, path, (int)response.StatusCode, contentType, text));
        await context.Response.Body.WriteAsync(answer, ct);
    }

    private void Record(string? violation)
    {
        if (violation is not null)
        {
            violations.Enqueue(violation);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        upstream.Dispose();
    }
}
