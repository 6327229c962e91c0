using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;

using Microsoft.Extensions.DependencyInjection;

using Pingvas.Engines;
using Pingvas.Engines.InvokeAi;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Testing.InvokeAi;

namespace Pingvas.Server.Tests.InvokeAi;

/// <summary>
/// Through the real API with one InvokeAI node configured and the procedural renderer off: jobs
/// run on the node (the protocol test server), are charged the node's measured seconds once, and
/// a node restart mid-job re-runs the job without a second charge.
/// </summary>
public sealed class InvokeAiGenerationTests(InvokeAiGenerationTests.Fixture fixture) : IClassFixture<InvokeAiGenerationTests.Fixture>
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(60);

    private readonly PingvasServer server = fixture.Server;
    private readonly InvokeAiTestNode node = fixture.Node;

    public sealed class Fixture : IAsyncLifetime
    {
        public InvokeAiTestNode Node { get; private set; } = null!;

        public PingvasServer Server { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 20 });
            // The node downloads LoRAs from our signed files route, built on App:PublicUrl: the server's own address.
            var publicUrl = $"http://127.0.0.1:{FreePort()}";
            Server = await PingvasServer.StartAsync(new TestSettings { RetryBackoffSeconds = 0.2 }
                .With("urls", publicUrl)
                .With("App:PublicUrl", publicUrl)
                .With("Engines:InvokeAi:Nodes:0:Url", Node.BaseUrl.ToString())
                .With("Engines:InvokeAi:Nodes:0:GpuClass", "a10g")
                .With("Engines:InvokeAi:PollSeconds", "0.2")
                .With("Engines:InvokeAi:SilentPollSeconds", "1")
                .With("Engines:Procedural:Enabled", "false"));
            var engine = Assert.Single(Server.Services.GetServices<IImageEngine>());
            await Eventually.UntilAsync(() => Task.FromResult(engine.CanRun("sd-1.5")), Bounded, "the node's models to be read");
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        public async Task DisposeAsync()
        {
            if (Server is not null)
            {
                await Server.DisposeAsync();
            }
            if (Node is not null)
            {
                await Node.DisposeAsync();
            }
        }
    }

    [Fact]
    public void Only_the_node_engine_is_registered_when_procedural_is_off()
    {
        var engine = Assert.IsType<InvokeAiEngine>(Assert.Single(server.Services.GetServices<IImageEngine>()));
        Assert.Equal(node.BaseUrl.Authority, engine.Instance);
        Assert.Equal("a10g", engine.GpuClass);
        Assert.Contains("flux-schnell", engine.Models);
    }

    [Fact]
    public async Task Text_to_image_runs_on_the_node_and_is_charged_its_measured_seconds()
    {
        var user = await server.RegisterAsync();
        var submitted = await user.SubmitAsync(TestUser.Request(width: 96, height: 64, steps: 10, seed: 4321));

        var done = await user.WaitForAsync(submitted.Id);

        Assert.Equal("succeeded", done.Status);
        Assert.Equal("invokeai", done.Engine);
        var image = Assert.Single(done.Images);
        Assert.Equal((96, 64, 4321L), (image.Width, image.Height, image.Seed));
        var record = await node.RecordAsync();
        Assert.Empty(record.Violations);
        var item = Assert.Single(record.Items, i => i.Destination == submitted.Id.ToString("D"));
        Assert.Equal("completed", item.Status);
        var seconds = (InvokeAiTime.Parse(item.Raw.GetProperty("completed_at").GetString())!.Value
            - InvokeAiTime.Parse(item.Raw.GetProperty("started_at").GetString())!.Value).TotalSeconds;
        Assert.Equal(seconds, done.GpuSeconds!.Value, 3);
        Assert.Equal(Math.Max(1, (int)Math.Ceiling(done.GpuSeconds.Value - 0.0005)), done.CreditsCharged);
        var ledger = await user.LedgerAsync();
        Assert.Equal(-done.CreditsCharged, Assert.Single(ledger, e => e.JobId == submitted.Id && e.Kind == "charge").Amount);
        // The node keeps nothing of the job's images.
        Assert.All(item.OutputImages, name => Assert.DoesNotContain(name, record.Images));

        using var anonymous = server.CreateClient();
        var png = await anonymous.GetByteArrayAsync(image.Url);
        Assert.Equal(ApiChecks.PngSignature, png[..8]);
        var gallery = await user.Client.GetFromJsonAsync<PageBody<ImageBody>>("/api/v1/images", Json.Options);
        Assert.Equal("invokeai", Assert.Single(gallery!.Items).Metadata["engine"]);
    }

    [Fact]
    public async Task A_node_restart_mid_job_re_runs_the_job_and_charges_it_once()
    {
        var user = await server.RegisterAsync();
        var submitted = await user.SubmitAsync(TestUser.Request(steps: 60, seed: 99));
        var destination = submitted.Id.ToString("D");
        await Eventually.UntilAsync(async () => (await user.GetAsync(submitted.Id)).Progress.Step >= 3, Bounded, "the job to be running on the node");

        await node.RestartAsync(TimeSpan.FromMilliseconds(300));
        var done = await user.WaitForAsync(submitted.Id);

        Assert.Equal("succeeded", done.Status);
        Assert.Equal("invokeai", done.Engine);
        var items = (await node.RecordAsync()).Items.Where(i => i.Destination == destination).OrderBy(i => i.ItemId).ToList();
        Assert.Equal(["canceled", "completed"], items.Select(i => i.Status));
        var ledger = await user.LedgerAsync();
        Assert.Single(ledger, e => e.JobId == submitted.Id && e.Kind == "charge");
        Assert.Equal(-done.CreditsCharged, ledger.Single(e => e.JobId == submitted.Id && e.Kind == "charge").Amount);
        var me = await user.MeAsync();
        Assert.Equal(0, me.Credits.Reserved);
        Assert.Equal(me.Credits.Balance, ledger.Sum(e => e.Amount));
        Assert.Empty((await node.RecordAsync()).Violations);
    }
}
