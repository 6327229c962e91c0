using System.Collections.Concurrent;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using Pingvas.Relay.Fakes;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Relay;

/// <summary>
/// Stability AI and Replicate configured by settings alone (keys, base URLs, Replicate's download
/// hosts), end to end through our API; and a provider outage that sends the job back to the queue,
/// after which it succeeds and is charged once.
/// </summary>
public sealed class RelayProvidersApiTests : IAsyncLifetime
{
    private FakeProviderServer provider = null!;
    private PingvasServer server = null!;
    private readonly CapturingLogs logs = new();

    public async Task InitializeAsync()
    {
        provider = await FakeProviderServer.StartAsync();
        var settings = new Dictionary<string, string>
        {
            ["Queue:RetryBackoffSeconds"] = "0.2",
            ["Queue:MaxAttempts"] = "3",
            ["Engines:Relay:Replicate:DownloadHosts:0"] = "127.0.0.1",
            ["Engines:Relay:Replicate:AllowPrivateDownloads"] = "true",
            ["Engines:Relay:Replicate:PollIntervalMs"] = "20",
        };
        foreach (var name in new[] { "Gemini", "Stability", "Replicate" })
        {
            settings[$"Engines:Relay:{name}:ApiKey"] = provider.ApiKey;
            settings[$"Engines:Relay:{name}:BaseUrl"] = provider.BaseUrl.ToString();
            settings[$"Engines:Relay:{name}:RetryBaseDelayMs"] = "20";
            settings[$"Engines:Relay:{name}:RequestsPerMinute"] = "6000";
        }

        settings["Engines:Relay:Gemini:MaxRetries"] = "1";
        server = await PingvasServer.StartAsync(new TestSettings().With(settings), configureServices: s => s.AddSingleton<ILoggerProvider>(logs));
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        await provider.DisposeAsync();
    }

    [Theory]
    [InlineData("stability-sd3", "stability", 0.065)]
    [InlineData("replicate-flux-pro", "replicate", 0.04)]
    public async Task A_pro_user_gets_images_from_the_provider_at_20_credits_each(string model, string engine, double price)
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "pro");

        var submitted = await user.SubmitAsync(TestUser.Request(model: model, width: 1024, height: 768, steps: 1));
        var done = await user.WaitForAsync(submitted.Id);

        Assert.Equal(("succeeded", engine, 20, 1), (done.Status, done.Engine, done.CreditsCharged, done.Images.Count));
        Assert.Empty(provider.Violations);
        var cost = await server.QueryAsync(db => db.Jobs.Where(j => j.Id == done.Id).Select(j => j.ProviderCostUsd).SingleAsync());
        Assert.Equal((decimal)price, cost);
    }

    [Fact]
    public async Task The_api_key_never_reaches_the_logs_or_the_user()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "pro");
        provider.Script.Enqueue(Scripted.Throttle);
        provider.Script.Enqueue(Scripted.PaymentRequired);

        var done = await user.WaitForAsync((await user.SubmitAsync(TestUser.Request(model: "stability-sd3", width: 1024, height: 1024, steps: 1))).Id);
        provider.Script.Enqueue(Scripted.Refuse);
        var refused = await user.WaitForAsync((await user.SubmitAsync(TestUser.Request(model: "replicate-flux-pro", width: 1024, height: 1024, steps: 1))).Id);

        Assert.Equal(("succeeded", "failed"), (done.Status, refused.Status));
        Assert.Contains(logs.Lines, l => l.Contains("stability call failed", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Contains("provider_unavailable", StringComparison.Ordinal) || l.Contains("cannot take requests", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(provider.ApiKey, StringComparison.Ordinal));
        var raw = await user.Client.GetStringAsync($"/api/v1/generations/{refused.Id}");
        Assert.DoesNotContain(provider.ApiKey, raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_that_keeps_failing_hands_the_job_back_and_it_succeeds_on_a_later_attempt_charged_once()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "pro");
        var before = (await user.MeAsync()).Credits.Balance;
        // Two attempts of the first claim (one retry) fail; the job is re-queued and the next claim succeeds.
        provider.Script.Enqueue(Scripted.Unavailable);
        provider.Script.Enqueue(Scripted.ServerError);

        var submitted = await user.SubmitAsync(TestUser.Request(model: "nano-banana", width: 1024, height: 1024, steps: 1));
        var done = await user.WaitForAsync(submitted.Id);

        Assert.Equal(("succeeded", 20), (done.Status, done.CreditsCharged));
        Assert.Equal(3, provider.Calls.Count(c => c.Path.StartsWith("/v1beta/", StringComparison.Ordinal)));
        var job = await server.QueryAsync(db => db.Jobs.SingleAsync(j => j.Id == done.Id));
        Assert.Equal((2, 1), (job.Attempt, job.FailedAttempts));
        Assert.Equal(before - 20, (await user.MeAsync()).Credits.Balance);
        Assert.Single(await user.LedgerAsync(), e => e.JobId == done.Id && e.Kind == "charge");
    }
}

/// <summary>Every log line the server writes, with its exception, to check that no secret is among them.</summary>
internal sealed class CapturingLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> lines = new();

    public IReadOnlyList<string> Lines => [.. lines];

    public ILogger CreateLogger(string categoryName) => new Logger(lines);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{formatter(state, exception)} {exception}");
    }
}
