using System.Collections.Concurrent;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Pingvas.Server.Tests.Sdk;

/// <summary>A request the stub got: method, path with query, and headers (lower-case names).</summary>
public sealed record StubRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, DateTimeOffset At);

/// <summary>
/// A scripted HTTP server on a free 127.0.0.1 port (Kestrel, in the test process) for what the real
/// server does not do on demand: answer 429/503 with chosen <c>Retry-After</c> values, or drop an
/// event stream halfway. The handler gets each request with its 1-based number.
/// </summary>
public sealed class CSharpSdkStub : IAsyncDisposable
{
    private readonly WebApplication app;
    private int count;

    private CSharpSdkStub(WebApplication app) => this.app = app;

    public ConcurrentQueue<StubRequest> Requests { get; } = new();

    public string BaseUrl { get; private set; } = "";

    public static async Task<CSharpSdkStub> StartAsync(Func<HttpContext, int, Task> handle)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new CSharpSdkStub(app);
        app.Run(async context =>
        {
            var number = Interlocked.Increment(ref stub.count);
            stub.Requests.Enqueue(new StubRequest(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
                DateTimeOffset.UtcNow));
            await handle(context, number);
        });
        await app.StartAsync();
        stub.BaseUrl = app.Urls.Single();
        return stub;
    }

    /// <summary>Answers a problem+json with <paramref name="code"/> and, when given, a <c>Retry-After</c> header.</summary>
    public static async Task ProblemAsync(HttpContext context, int status, string code, string? retryAfter = null, string extensions = "")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        await context.Response.WriteAsync($$"""{"status":{{status}},"title":"Refused.","detail":"Scripted.","code":"{{code}}"{{extensions}}}""");
    }

    /// <summary>A 200 JSON answer.</summary>
    public static async Task JsonAsync(HttpContext context, string json)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
