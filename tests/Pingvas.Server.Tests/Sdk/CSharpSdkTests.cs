using System.Collections.Concurrent;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Sdk;
using Pingvas.Server.Developer;
using Pingvas.Server.Tests.Developer;
using Pingvas.Server.Tests.Infrastructure;

using WebhookReceiver = Pingvas.Server.Tests.Webhooks.WebhookReceiver;

namespace Pingvas.Server.Tests.Sdk;

/// <summary>
/// A server for the SDK: a step pause so a job can be cancelled while it runs, webhooks allowed to
/// reach the loopback receiver, and a quick outbox.
/// </summary>
public sealed class CSharpSdkServerFixture() : ServerFixture(new TestSettings { StepDelayMs = 100 }
    .With("Webhooks:AllowPrivateTargets", "true")
    .With("Outbox:PollMilliseconds", "100"));

/// <summary>The C# SDK end to end, in-process, against the real server over loopback HTTP with a Starter user's API key.</summary>
public sealed class CSharpSdkTests(CSharpSdkServerFixture fixture) : IClassFixture<CSharpSdkServerFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private PingvasServer Server => fixture.Server;

    private PingvasClient Client(string key, ConcurrentQueue<RetryNotice>? notices = null, PingvasServer? server = null) =>
        new(new PingvasClientOptions { ApiKey = key, BaseUrl = (server ?? Server).BaseAddress.ToString(), OnRetry = notices is null ? null : notices.Enqueue });

    private static GenerationRequest Small(int steps = 4) =>
        new() { Prompt = "a lighthouse at dusk", Model = "sd-1.5", Width = 64, Height = 64, Steps = steps, Seed = 7 };

    [Fact]
    public async Task Submit_wait_with_progress_download_and_list()
    {
        var (_, key, _) = await ApiKeyKit.StarterWithKeyAsync(Server);
        using var client = Client(key);
        using var timeout = new CancellationTokenSource(Bound);
        var ct = timeout.Token;

        var models = await client.Models.ListAsync(ct);
        Assert.Contains(models, m => m is { Id: "sd-1.5", Allowed: true, Available: true });

        var queued = await client.Generations.CreateAsync(Small(), ct);
        Assert.Equal((GenerationStatus.Queued, "sd-1.5", 64), (queued.Status, queued.Model, queued.Width));
        Assert.Equal((50L, 49L), (client.RateLimit!.Limit, client.RateLimit.Remaining));
        Assert.True(client.RateLimit.ResetAt > DateTimeOffset.UtcNow);

        var events = new List<GenerationEvent>();
        var done = await client.Generations.WaitAsync(queued.Id, new Recorder<GenerationEvent>(events), ct);

        Assert.Equal(GenerationStatus.Succeeded, done.Status);
        Assert.Contains(events, e => e.Generation.Status == GenerationStatus.Running && e.Generation.Progress.Step > 0);
        Assert.All(events, e => Assert.False(string.IsNullOrEmpty(e.Id)));
        Assert.Equal(1, events.Count(e => e.IsTerminal));
        Assert.True(events[^1].IsTerminal);
        Assert.Equal(queued.Id, Assert.Single(events.Select(e => e.Generation.Id).Distinct()));

        var image = Assert.Single(done.Images);
        var png = await client.Images.DownloadAsync(image.Id, ct: ct);
        Assert.True(png.Length > 8);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        var webp = await client.Images.DownloadAsync(image.Id, ImageSize.Thumbnail256, ct);
        Assert.Equal(("RIFF", "WEBP"), (System.Text.Encoding.ASCII.GetString(webp, 0, 4), System.Text.Encoding.ASCII.GetString(webp, 8, 4)));
        var path = Path.Combine(Path.GetTempPath(), $"pingvas-sdk-{Guid.NewGuid():N}.png");
        try
        {
            await client.Images.DownloadToFileAsync(image.Id, path, ct: ct);
            Assert.Equal(png, await File.ReadAllBytesAsync(path, ct));
        }
        finally
        {
            File.Delete(path);
        }

        // A second job, then every list page by page (one item a page), newest first.
        var second = await client.Generations.RunAsync(Small() with { Seed = 8 }, ct: ct);
        Assert.Equal(GenerationStatus.Succeeded, second.Status);
        var listed = await client.Generations.ListAsync(pageSize: 1, ct: ct).Select(g => g.Id).ToListAsync(ct);
        Assert.Equal([second.Id, queued.Id], listed);
        Assert.Equal(GenerationStatus.Succeeded, (await client.Generations.GetAsync(queued.Id, ct)).Status);
        var images = await client.Images.ListAsync(new ImageListOptions { Limit = 1 }, ct).ToListAsync(ct);
        Assert.Equal([second.Images[0].Id, image.Id], images.Select(i => i.Id));
        var one = await client.Images.GetAsync(image.Id, ct);
        Assert.Equal((queued.Id, "sd-1.5", "a lighthouse at dusk"), (one.GenerationId, one.Model, one.Prompt));

        var estimate = await client.Generations.EstimateAsync(Small(), ct);
        Assert.True(estimate.Allowed);
        Assert.True(estimate.Credits > 0);
    }

    [Fact]
    public async Task A_running_job_is_cancelled_and_its_stream_ends_cancelled()
    {
        var (_, key, _) = await ApiKeyKit.StarterWithKeyAsync(Server);
        using var client = Client(key);
        using var timeout = new CancellationTokenSource(Bound);

        // 100 steps of 100 ms: ten seconds of work, plenty of time to cancel it.
        var queued = await client.Generations.CreateAsync(Small(steps: 100), timeout.Token);
        var events = new List<GenerationEvent>();
        var waiting = client.Generations.WaitAsync(queued.Id, new Recorder<GenerationEvent>(events), timeout.Token);
        var answer = await client.Generations.CancelAsync(queued.Id, timeout.Token);
        Assert.Equal(queued.Id, answer.Id);

        var final = await waiting;
        Assert.Equal(GenerationStatus.Cancelled, final.Status);
        Assert.Equal(GenerationStatus.Cancelled, events[^1].Generation.Status);
        Assert.Equal(GenerationStatus.Cancelled, (await client.Generations.GetAsync(queued.Id, timeout.Token)).Status);
        Assert.Contains(queued.Id, await client.Generations.ListAsync(GenerationStatus.Cancelled, ct: timeout.Token).Select(g => g.Id).ToListAsync());
        await Server.WaitUntilIdleAsync();
    }

    [Fact]
    public async Task The_stream_of_all_generations_resumes_from_a_cursor()
    {
        var (_, key, _) = await ApiKeyKit.StarterWithKeyAsync(Server);
        using var client = Client(key);
        using var timeout = new CancellationTokenSource(Bound);
        var ct = timeout.Token;
        var first = new List<GenerationEvent>();
        var a = await client.Generations.RunAsync(Small(), new Recorder<GenerationEvent>(first), ct);
        var b = await client.Generations.CreateAsync(Small() with { Seed = 9 }, ct);

        // From the cursor of A's first event: the states of everything that changed since come first
        // (A's final one, B's), then B's live events; no race with the subscription.
        var seen = new List<GenerationEvent>();
        await foreach (var e in client.Generations.StreamAllEventsAsync(first[0].Id, ct))
        {
            seen.Add(e);
            if (e.Generation.Id == b.Id && e.IsTerminal)
            {
                break;
            }
        }

        Assert.Contains(seen, e => e.Generation.Id == a.Id && e.Generation.Status == GenerationStatus.Succeeded);
        Assert.Equal(GenerationStatus.Succeeded, seen[^1].Generation.Status);
        Assert.All(seen, e => Assert.False(string.IsNullOrEmpty(e.Id)));
    }

    [Fact]
    public async Task Refusals_are_typed_errors_with_the_problem_code()
    {
        var (user, readKey, _) = await ApiKeyKit.StarterWithKeyAsync(Server, "read");
        using var reader = Client(readKey);

        var forbidden = await Assert.ThrowsAsync<ForbiddenException>(() => reader.Generations.CreateAsync(Small()));
        Assert.Equal((403, "api_key_scope_missing"), (forbidden.Status, forbidden.Code));
        Assert.Equal("generate", forbidden.Problem.GetProperty("requiredScope").GetString());

        var missing = await Assert.ThrowsAsync<NotFoundException>(() => reader.Generations.GetAsync(Guid.NewGuid()));
        Assert.Equal((404, "not_found"), (missing.Status, missing.Code));
        await Assert.ThrowsAsync<NotFoundException>(() => reader.Images.DownloadAsync(Guid.NewGuid()));

        var full = (await ApiKeyKit.CreateAsync(user)).GetProperty("key").GetString()!;
        using var writer = Client(full);
        var invalid = await Assert.ThrowsAsync<ValidationFailedException>(() => writer.Generations.CreateAsync(Small() with { Width = 65 }));
        Assert.Equal((400, "validation_failed"), (invalid.Status, invalid.Code));
        Assert.Contains(invalid.Errors.Keys, k => k.Equals("width", StringComparison.OrdinalIgnoreCase));

        using var stranger = Client("pv_live_" + new string('x', 44));
        var unauthorized = await Assert.ThrowsAsync<UnauthorizedException>(() => stranger.Models.ListAsync());
        Assert.Equal((401, "invalid_api_key"), (unauthorized.Status, unauthorized.Code));
    }

    [Fact]
    public async Task A_spent_monthly_quota_is_thrown_at_once_with_its_reset_time()
    {
        var (user, key, _) = await ApiKeyKit.StarterWithKeyAsync(Server);
        var period = ApiPeriod.Of(Server.Time.GetUtcNow().UtcDateTime);
        await Server.QueryAsync(async db =>
        {
            db.ApiUsage.Add(new ApiUsage { UserId = user.Id, Period = period, Calls = 50 });
            return await db.SaveChangesAsync();
        });
        var notices = new ConcurrentQueue<RetryNotice>();
        using var client = Client(key, notices);

        var e = await Assert.ThrowsAsync<QuotaExceededException>(() => client.Generations.CreateAsync(Small()));

        Assert.Equal((429, "api_quota_exceeded", (int?)50), (e.Status, e.Code, e.Limit));
        Assert.Equal(ApiPeriod.ResetAt(Server.Time.GetUtcNow().UtcDateTime), e.ResetAt!.Value.UtcDateTime);
        Assert.True(e.RetryAfter > TimeSpan.FromMinutes(1));
        Assert.Empty(notices);
        Assert.Equal(0L, client.RateLimit!.Remaining);
        Assert.Equal(50, await Server.QueryAsync(db => db.ApiUsage.Where(u => u.UserId == user.Id && u.Period == period).Select(u => u.Calls).SingleAsync()));
    }

    [Fact]
    public async Task The_servers_submit_rate_limit_is_waited_out_by_the_retries()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings { SubmitBurst = 1, SubmitsPerSecond = 1 });
        var (_, key, _) = await ApiKeyKit.StarterWithKeyAsync(server, "generate", "read");
        var notices = new ConcurrentQueue<RetryNotice>();
        using var client = Client(key, notices, server);
        using var timeout = new CancellationTokenSource(Bound);

        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await client.Generations.CreateAsync(Small() with { Seed = i }, timeout.Token)).Id);
        }

        Assert.Equal(3, ids.Distinct().Count());
        Assert.Contains(notices, n => n is { Status: 429, Code: "rate_limited" } && n.Delay > TimeSpan.Zero);
        Assert.Equal(3, await client.Generations.ListAsync(ct: timeout.Token).CountAsync(timeout.Token));
        await server.WaitUntilIdleAsync();
    }

    [Fact]
    public async Task A_webhook_endpoint_receives_the_success_and_the_sdk_verifies_it()
    {
        var (_, key, _) = await ApiKeyKit.StarterWithKeyAsync(Server);
        using var client = Client(key);
        await using var receiver = await WebhookReceiver.StartAsync();
        using var timeout = new CancellationTokenSource(Bound);
        var ct = timeout.Token;

        var endpoint = await client.WebhookEndpoints.CreateAsync(receiver.Url("/sdk"), [WebhookEventTypes.GenerationSucceeded], "SDK test", ct);
        Assert.StartsWith("whsec_", endpoint.Secret, StringComparison.Ordinal);
        Assert.True(endpoint.Enabled);
        Assert.Contains(await client.WebhookEndpoints.ListAsync(ct), e => e.Id == endpoint.Id && e.Secret is null);
        Assert.Equal([WebhookEventTypes.GenerationSucceeded], (await client.WebhookEndpoints.GetAsync(endpoint.Id, ct)).Events);

        var done = await client.Generations.RunAsync(Small(), ct: ct);
        Assert.Equal(GenerationStatus.Succeeded, done.Status);
        await Eventually.UntilAsync(() => Task.FromResult(receiver.At("/sdk").Any()), Bound, "generation.succeeded should reach the receiver");

        var message = Assert.Single(receiver.At("/sdk"));
        Assert.Equal(WebhookEventTypes.GenerationSucceeded, message.Type);
        var data = JsonDocument.Parse(message.Body).RootElement.GetProperty("data");
        Assert.Equal(done.Id, data.GetProperty("id").GetGuid());
        var now = Server.Time.GetUtcNow();
        WebhookVerifier.Verify(endpoint.Secret!, message.Headers, message.Body, now);
        Assert.Throws<WebhookVerificationException>(() =>
            WebhookVerifier.Verify(endpoint.Secret!, message.Headers, message.Body.Replace("succeeded", "SUCCEEDED", StringComparison.Ordinal), now));

        // The receiver has answered; the server records the attempt a moment later.
        WebhookDelivery? delivery = null;
        await Eventually.UntilAsync(
            async () => (delivery = (await client.WebhookEndpoints.ListDeliveriesAsync(endpoint.Id, ct).ToListAsync(ct)).SingleOrDefault()) is { Status: "delivered" },
            Bound, "the delivery should be recorded as delivered");
        Assert.Equal((WebhookEventTypes.GenerationSucceeded, done.Id, 200), (delivery!.EventType, delivery.GenerationId, delivery.LastStatusCode));

        var rotated = await client.WebhookEndpoints.RotateSecretAsync(endpoint.Id, overlapHours: 0, ct);
        Assert.StartsWith("whsec_", rotated, StringComparison.Ordinal);
        Assert.NotEqual(endpoint.Secret, rotated);
        Assert.Throws<WebhookVerificationException>(() => WebhookVerifier.Verify(rotated, message.Headers, message.Body, now));

        await client.WebhookEndpoints.DeleteAsync(endpoint.Id, ct);
        await Assert.ThrowsAsync<NotFoundException>(() => client.WebhookEndpoints.GetAsync(endpoint.Id, ct));
        Assert.DoesNotContain(await client.WebhookEndpoints.ListAsync(ct), e => e.Id == endpoint.Id);
    }
}
