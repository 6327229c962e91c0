using System.Net;

using Pingvas.Engines.Relay;
using Pingvas.Relay.Fakes;

using static Pingvas.Engines.Tests.Relay.RelayTestKit;

namespace Pingvas.Engines.Tests.Relay;

/// <summary>The Replicate relay against a local predictions API, and the download guard against SSRF.</summary>
public sealed class ReplicateRelayTests : IAsyncLifetime
{
    private FakeProviderServer fake = null!;

    public async Task InitializeAsync() => fake = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync() => await fake.DisposeAsync();

    [Fact]
    public async Task A_prediction_is_created_polled_until_it_succeeds_and_its_output_downloaded()
    {
        fake.ReplicatePolls = 3;
        var engine = Engine("replicate", Options(fake, "replicate"));

        var result = await RunAsync(engine, Job("replicate-flux-pro"));

        Assert.Empty(fake.Violations);
        Assert.Single(result.Images);
        Assert.Equal(1, fake.GenerateCalls);
        Assert.Equal(3, fake.Calls.Count(c => c.Method == "GET" && c.Path.StartsWith("/v1/predictions/", StringComparison.Ordinal)));
        Assert.Single(fake.Calls, c => c.Path.StartsWith("/files/", StringComparison.Ordinal));
        Assert.Equal(0.05m, result.ProviderCostUsd);
    }

    [Fact]
    public async Task An_nsfw_failure_is_content_refused()
    {
        var engine = Engine("replicate", Options(fake, "replicate"));
        fake.Script.Enqueue(Scripted.Refuse);

        var error = await Assert.ThrowsAsync<EngineFailedException>(() => RunAsync(engine, Job("replicate-flux-pro")));

        Assert.Equal("content_refused", error.Code);
        Assert.Equal(1, fake.GenerateCalls);
    }

    [Fact]
    public async Task Cancelling_while_polling_cancels_the_prediction()
    {
        var engine = Engine("replicate", Options(fake, "replicate"));
        fake.Script.Enqueue(Scripted.Hang);
        using var cts = new CancellationTokenSource();

        var run = RunAsync(engine, Job("replicate-flux-pro"), cts.Token);
        await Eventually.UntilAsync(() => fake.Calls.Any(c => c.Method == "GET"), "the prediction was never polled");
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Single(fake.CancelledPredictions);
    }

    [Fact]
    public async Task An_output_url_on_another_host_is_never_fetched()
    {
        fake.ReplicateOutputUrl = "http://169.254.169.254/latest/meta-data/iam";
        var engine = Engine("replicate", Options(fake, "replicate"));

        var error = await Assert.ThrowsAsync<EngineFailedException>(() => RunAsync(engine, Job("replicate-flux-pro")));

        Assert.Equal("provider_rejected", error.Code);
        Assert.DoesNotContain(fake.Calls, c => c.Path.StartsWith("/files/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_the_test_allowance_an_allowed_host_on_a_private_address_is_refused_at_connect()
    {
        var options = Options(fake, "replicate");
        options.AllowPrivateDownloads = false;
        fake.ReplicateOutputUrl = $"https://127.0.0.1:{fake.BaseUrl.Port}/files/x.png";
        var engine = Engine("replicate", options);

        var error = await Assert.ThrowsAsync<EngineFailedException>(() => RunAsync(engine, Job("replicate-flux-pro")));

        Assert.Equal("provider_rejected", error.Code);
        Assert.Contains("no public address", error.InnerException!.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(fake.Calls, c => c.Path.StartsWith("/files/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.20.0.1", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("8.8.8.8", true)]
    [InlineData("2606:4700::1111", true)]
    public void Only_public_addresses_pass(string address, bool isPublic) =>
        Assert.Equal(isPublic, DownloadGuard.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("https://replicate.delivery/xezq/out.png", true)]
    [InlineData("https://pbxt.replicate.delivery/out.png", true)]
    [InlineData("http://replicate.delivery/out.png", false)]
    [InlineData("https://replicate.delivery.evil.com/out.png", false)]
    [InlineData("https://user@replicate.delivery/out.png", false)]
    [InlineData("file:///etc/passwd", false)]
    public void Only_https_urls_on_the_configured_hosts_are_allowed(string url, bool allowed)
    {
        var guard = new DownloadGuard(new RelayProviderOptions { DownloadHosts = ["replicate.delivery", "*.replicate.delivery"] });
        Assert.Equal(allowed, guard.IsAllowed(new Uri(url)));
    }
}
