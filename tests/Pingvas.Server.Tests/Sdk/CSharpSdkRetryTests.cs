using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

using Microsoft.AspNetCore.Http;

using Pingvas.Sdk;

namespace Pingvas.Server.Tests.Sdk;

/// <summary>
/// The SDK's retries, error types and stream resume against a scripted loopback server (the real
/// server cannot be made to answer 503 or drop a stream on cue; its own 429s are in <see cref="CSharpSdkTests"/>).
/// </summary>
public sealed class CSharpSdkRetryTests
{
    private static readonly Guid JobId = Guid.Parse("0192a8f0-0000-7000-8000-000000000001");

    private static string GenerationJson(string status, int step = 0) =>
        $$"""{"id":"{{JobId}}","status":"{{status}}","model":"sd-1.5","prompt":"p","progress":{"step":{{step}},"totalSteps":4,"percent":{{step * 25}}},"images":[],"createdAt":"2026-12-03T04:00:00Z"}""";

    private static (PingvasClient Client, ConcurrentQueue<RetryNotice> Notices) Client(CSharpSdkStub stub, int maxRetries = 3, double backoffMs = 50, int maxDelaySeconds = 60)
    {
        var notices = new ConcurrentQueue<RetryNotice>();
        var client = new PingvasClient(new PingvasClientOptions
        {
            ApiKey = "pv_live_test",
            BaseUrl = stub.BaseUrl,
            MaxRetries = maxRetries,
            InitialBackoff = TimeSpan.FromMilliseconds(backoffMs),
            MaxRetryDelay = TimeSpan.FromSeconds(maxDelaySeconds),
            OnRetry = notices.Enqueue,
        });
        return (client, notices);
    }

    [Fact]
    public async Task A_429_is_retried_after_its_Retry_After_with_the_same_idempotency_key()
    {
        await using var stub = await CSharpSdkStub.StartAsync((context, n) => n == 1
            ? CSharpSdkStub.ProblemAsync(context, 429, "rate_limited", retryAfter: "1")
            : Accepted(context));
        var (client, notices) = Client(stub);
        using var _ = client;

        var queued = await client.Generations.CreateAsync(new GenerationRequest { Prompt = "p", Model = "sd-1.5" });

        Assert.Equal((JobId, GenerationStatus.Queued), (queued.Id, queued.Status));
        var requests = stub.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        var key = requests[0].Headers["idempotency-key"];
        Assert.False(string.IsNullOrWhiteSpace(key));
        Assert.Equal(key, requests[1].Headers["idempotency-key"]);
        Assert.Equal("Bearer pv_live_test", requests[0].Headers["authorization"]);
        var notice = Assert.Single(notices);
        Assert.Equal((1, (int?)429, "rate_limited", TimeSpan.FromSeconds(1)), (notice.Attempt, notice.Status, notice.Code, notice.Delay));
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromMilliseconds(900), $"waited {(requests[1].At - requests[0].At).TotalMilliseconds} ms");

        // Another submit is another job: a new key.
        await client.Generations.CreateAsync(new GenerationRequest { Prompt = "p", Model = "sd-1.5" });
        Assert.NotEqual(key, stub.Requests.Last().Headers["idempotency-key"]);
    }

    [Fact]
    public async Task A_503_without_Retry_After_backs_off_exponentially_with_jitter()
    {
        await using var stub = await CSharpSdkStub.StartAsync((context, n) => n <= 2
            ? CSharpSdkStub.ProblemAsync(context, 503, "unavailable")
            : CSharpSdkStub.JsonAsync(context, GenerationJson("running", 2)));
        var (client, notices) = Client(stub, backoffMs: 40);
        using var _ = client;

        var running = await client.Generations.GetAsync(JobId);

        Assert.Equal((GenerationStatus.Running, 2, 50), (running.Status, running.Progress.Step, running.Progress.Percent));
        var delays = notices.Select(n => n.Delay.TotalMilliseconds).ToArray();
        Assert.Equal(2, delays.Length);
        Assert.InRange(delays[0], 20, 60);  // 40 ms ± 50 %
        Assert.InRange(delays[1], 40, 120); // 80 ms ± 50 %
        Assert.All(notices, n => Assert.Equal(503, n.Status));
    }

    [Fact]
    public async Task Retry_After_as_an_HTTP_date_is_honoured()
    {
        await using var stub = await CSharpSdkStub.StartAsync((context, n) => n == 1
            ? CSharpSdkStub.ProblemAsync(context, 503, "unavailable", retryAfter: DateTimeOffset.UtcNow.AddSeconds(2).ToString("R", CultureInfo.InvariantCulture))
            : CSharpSdkStub.JsonAsync(context, GenerationJson("queued")));
        var (client, notices) = Client(stub);
        using var _ = client;

        await client.Generations.GetAsync(JobId);

        // The date has whole seconds: the wait is what is left of those 2 s.
        Assert.InRange(Assert.Single(notices).Delay.TotalSeconds, 0.5, 2.0);
    }

    [Fact]
    public async Task A_quota_that_resets_after_the_longest_wait_is_thrown_at_once_with_its_reset_time()
    {
        var resetAt = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await using var stub = await CSharpSdkStub.StartAsync(async (context, _) =>
        {
            context.Response.Headers["RateLimit-Limit"] = "50";
            context.Response.Headers["RateLimit-Remaining"] = "0";
            context.Response.Headers["RateLimit-Reset"] = "86400";
            await CSharpSdkStub.ProblemAsync(context, 429, "api_quota_exceeded", retryAfter: "86400", extensions: ""","limit":50,"resetAt":"2027-01-01T00:00:00Z" """);
        });
        var (client, notices) = Client(stub);
        using var _ = client;

        var e = await Assert.ThrowsAsync<QuotaExceededException>(() => client.Generations.CreateAsync(new GenerationRequest { Prompt = "p", Model = "sd-1.5" }));

        Assert.Equal((429, "api_quota_exceeded", (int?)50, (DateTimeOffset?)resetAt, (TimeSpan?)TimeSpan.FromDays(1)), (e.Status, e.Code, e.Limit, e.ResetAt, e.RetryAfter));
        Assert.Equal("Scripted.", e.Detail);
        Assert.Equal("2027-01-01T00:00:00Z", e.Problem.GetProperty("resetAt").GetString());
        Assert.Single(stub.Requests);
        Assert.Empty(notices);
        Assert.Equal((50L, 0L, TimeSpan.FromDays(1)), (client.RateLimit!.Limit, client.RateLimit.Remaining, client.RateLimit.Reset));
    }

    [Fact]
    public async Task Retries_are_bounded_and_a_wait_beyond_the_cap_is_not_taken()
    {
        await using var busy = await CSharpSdkStub.StartAsync((context, _) => CSharpSdkStub.ProblemAsync(context, 429, "rate_limited", retryAfter: "0"));
        var (client, notices) = Client(busy, maxRetries: 2);
        using (client)
        {
            var e = await Assert.ThrowsAsync<RateLimitedException>(() => client.Generations.GetAsync(JobId));
            Assert.Equal((429, "rate_limited", (TimeSpan?)TimeSpan.Zero), (e.Status, e.Code, e.RetryAfter));
            Assert.Equal(3, busy.Requests.Count);
            Assert.Equal([1, 2], notices.Select(n => n.Attempt));
        }

        await using var slow = await CSharpSdkStub.StartAsync((context, _) => CSharpSdkStub.ProblemAsync(context, 503, "unavailable", retryAfter: "120"));
        var (patient, none) = Client(slow, maxDelaySeconds: 60);
        using (patient)
        {
            var e = await Assert.ThrowsAsync<PingvasApiException>(() => patient.Generations.GetAsync(JobId));
            Assert.Equal((503, "unavailable", (TimeSpan?)TimeSpan.FromSeconds(120)), (e.Status, e.Code, e.RetryAfter));
            Assert.Single(slow.Requests);
            Assert.Empty(none);
        }
    }

    [Fact]
    public async Task Connection_errors_are_retried_for_reads_but_not_for_a_cancel()
    {
        // A port nothing listens on: taken, then freed.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var notices = new ConcurrentQueue<RetryNotice>();
        using var client = new PingvasClient(new PingvasClientOptions
        {
            ApiKey = "pv_live_test",
            BaseUrl = $"http://127.0.0.1:{port}",
            MaxRetries = 2,
            InitialBackoff = TimeSpan.FromMilliseconds(10),
            OnRetry = notices.Enqueue,
        });

        await Assert.ThrowsAsync<HttpRequestException>(() => client.Generations.GetAsync(JobId));
        Assert.Equal(2, notices.Count);
        Assert.All(notices, n => Assert.IsType<HttpRequestException>(n.Error));

        notices.Clear();
        await Assert.ThrowsAsync<HttpRequestException>(() => client.Generations.CancelAsync(JobId));
        Assert.Empty(notices);
    }

    [Fact]
    public async Task Refusals_become_typed_errors_even_without_a_problem_body()
    {
        await using var stub = await CSharpSdkStub.StartAsync(async (context, n) =>
        {
            switch (n)
            {
                case 1:
                    await CSharpSdkStub.ProblemAsync(context, 400, "validation_failed", extensions: ""","errors":{"width":["width must be a multiple of 8."]}""");
                    break;
                case 2:
                    await CSharpSdkStub.ProblemAsync(context, 404, "not_found");
                    break;
                default:
                    context.Response.StatusCode = 502;
                    context.Response.ContentType = "text/html";
                    await context.Response.WriteAsync("<html>bad gateway</html>");
                    break;
            }
        });
        var (client, _) = Client(stub);
        using var _c = client;

        var invalid = await Assert.ThrowsAsync<ValidationFailedException>(() => client.Generations.GetAsync(JobId));
        Assert.Equal(["width must be a multiple of 8."], invalid.Errors["width"]);
        Assert.IsType<NotFoundException>(await Assert.ThrowsAsync<NotFoundException>(() => client.Generations.GetAsync(JobId)));
        var gateway = await Assert.ThrowsAsync<PingvasApiException>(() => client.Generations.GetAsync(JobId));
        Assert.Equal((502, null), (gateway.Status, gateway.Code));
    }

    [Fact]
    public async Task A_dropped_event_stream_is_reopened_with_Last_Event_ID()
    {
        await using var stub = await CSharpSdkStub.StartAsync(async (context, n) =>
        {
            context.Response.ContentType = "text/event-stream";
            if (n == 1)
            {
                await Event(context, "c1", GenerationJson("queued"));
                await Event(context, "c2", GenerationJson("running", 1));
                return; // The connection ends before the final event.
            }

            await context.Response.WriteAsync(": keep-alive\n\n");
            await Event(context, "c3", GenerationJson("running", 3));
            await Event(context, "c4", GenerationJson("succeeded", 4));
        });
        var (client, notices) = Client(stub);
        using var _ = client;
        var seen = new List<GenerationEvent>();

        var done = await client.Generations.WaitAsync(JobId, new Recorder<GenerationEvent>(seen));

        Assert.Equal(GenerationStatus.Succeeded, done.Status);
        Assert.Equal(["c1", "c2", "c3", "c4"], seen.Select(e => e.Id));
        Assert.Equal([0, 1, 3, 4], seen.Select(e => e.Generation.Progress.Step));
        var requests = stub.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.False(requests[0].Headers.ContainsKey("last-event-id"));
        Assert.Equal("c2", requests[1].Headers["last-event-id"]);
        Assert.Equal($"/api/v1/generations/{JobId}/events", requests[1].PathAndQuery);
        Assert.Equal("text/event-stream", requests[1].Headers["accept"]);
        Assert.Single(notices);
    }

    [Fact]
    public async Task A_stream_that_keeps_dropping_gives_up()
    {
        // Every connection shows the same queued state and closes: nothing new, so the drops add up.
        await using var stub = await CSharpSdkStub.StartAsync(async (context, n) =>
        {
            context.Response.ContentType = "text/event-stream";
            await Event(context, $"q{n}", GenerationJson("queued"));
        });
        var (client, _) = Client(stub, maxRetries: 2, backoffMs: 5);
        using var _c = client;
        var seen = new List<GenerationEvent>();

        await Assert.ThrowsAsync<IOException>(() => client.Generations.WaitAsync(JobId, new Recorder<GenerationEvent>(seen)));
        Assert.Equal(3, stub.Requests.Count);
        Assert.Equal(["q1", "q2", "q3"], seen.Select(e => e.Id));
        Assert.Equal("q2", stub.Requests.Last().Headers["last-event-id"]);
    }

    private static Task Accepted(HttpContext context)
    {
        context.Response.StatusCode = 202;
        return CSharpSdkStub.JsonAsync(context, GenerationJson("queued"));
    }

    private static async Task Event(HttpContext context, string id, string json)
    {
        await context.Response.WriteAsync($"id: {id}\nevent: generation\ndata: {json}\n\n");
        await context.Response.Body.FlushAsync();
    }
}

/// <summary>An <see cref="IProgress{T}"/> that records at once, on the caller's thread (Progress&lt;T&gt; posts later).</summary>
public sealed class Recorder<T>(List<T> into) : IProgress<T>
{
    public void Report(T value)
    {
        lock (into)
        {
            into.Add(value);
        }
    }
}
