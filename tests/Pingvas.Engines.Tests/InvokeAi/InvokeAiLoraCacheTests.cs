using Microsoft.Extensions.Logging.Abstractions;

using Pingvas.Engines.InvokeAi;
using Pingvas.Testing.InvokeAi;

using static Pingvas.Engines.Tests.InvokeAi.InvokeAiTestKit;

namespace Pingvas.Engines.Tests.InvokeAi;

/// <summary>The node's LoRA cache: installed once from the signed URL, reused, evicted least recently used, failures mapped.</summary>
public sealed class InvokeAiLoraCacheTests
{
    [Fact]
    public async Task A_lora_is_installed_once_from_its_signed_url_and_reused_by_the_next_job()
    {
        await using var files = await LoraFileServer.StartAsync();
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 1 });
        await using var engine = await LoraEngineAsync(node);
        var lora = files.Add("sd1", InvokeAiTestLoras.Safetensors("sd-1"), weight: 0.65);

        await RunAsync(engine, Job("sd-1.5") with { Loras = [lora] });
        await RunAsync(engine, Job("sd-1.5") with { Loras = [lora] });

        var record = await node.RecordAsync();
        NoViolations(record);
        var install = Assert.Single(record.Installs);
        Assert.Equal(lora.DownloadUrl, install.Source);
        Assert.Equal(lora.NodeName, install.Name);
        Assert.Equal("completed", install.Status);
        Assert.Equal(lora.Sha256, install.Sha256);
        Assert.Equal(1, files.Downloads);
        Assert.Equal(2, record.Enqueued.Count);
        foreach (var index in new[] { 0, 1 })
        {
            var selector = Assert.Single(NodesOfType(Graph(record, index), "lora_selector"));
            Assert.Equal(install.Key, selector.GetProperty("lora").GetProperty("key").GetString());
            Assert.Equal(lora.NodeName, selector.GetProperty("lora").GetProperty("name").GetString());
            Assert.Equal(0.65, selector.GetProperty("weight").GetDouble());
        }
        Assert.Equal([lora.Id], engine.HeldLoras);

        // Another worker process on the same node finds it in the cache on refresh.
        await using var second = await LoraEngineAsync(node);
        Assert.Equal([lora.Id], second.HeldLoras);
        await RunAsync(second, Job("sd-1.5") with { Loras = [lora] });
        Assert.Single((await node.RecordAsync()).Installs);
    }

    [Fact]
    public async Task Jobs_wanting_the_same_lora_at_once_share_one_install()
    {
        await using var files = await LoraFileServer.StartAsync();
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 1, InstallDelayMs = 300 });
        await using var engine = await LoraEngineAsync(node);
        var lora = files.Add("sdxl", InvokeAiTestLoras.Safetensors("sdxl"));

        await Task.WhenAll(
            RunAsync(engine, Job("sdxl-1.0") with { Loras = [lora] }),
            RunAsync(engine, Job("sdxl-1.0") with { Loras = [lora] }));

        var record = await node.RecordAsync();
        NoViolations(record);
        Assert.Single(record.Installs);
        Assert.Equal(2, record.Enqueued.Count);
    }

    [Fact]
    public async Task A_full_cache_evicts_the_least_recently_used_lora_before_an_install()
    {
        await using var files = await LoraFileServer.StartAsync();
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 1 });
        var a = files.Add("sd1", InvokeAiTestLoras.Safetensors("sd-1", salt: 1));
        var b = files.Add("sd1", InvokeAiTestLoras.Safetensors("sd-1", salt: 2));
        var c = files.Add("sd1", InvokeAiTestLoras.Safetensors("sd-1", salt: 3));
        // Room for two of these files.
        await using var engine = await LoraEngineAsync(node, cacheBytes: (a.Bytes * 2) + (a.Bytes / 2));

        await RunAsync(engine, Job("sd-1.5") with { Loras = [a] });
        await RunAsync(engine, Job("sd-1.5") with { Loras = [b] });
        await RunAsync(engine, Job("sd-1.5") with { Loras = [a] });
        await RunAsync(engine, Job("sd-1.5") with { Loras = [c] });

        var record = await node.RecordAsync();
        NoViolations(record);
        Assert.Equal([a.NodeName, b.NodeName, c.NodeName], record.Installs.Select(i => i.Name));
        var bKey = record.Installs.Single(i => i.Name == b.NodeName).Key!;
        Assert.Equal([bKey], record.DeletedModels);
        Assert.Equal(new[] { a.Id, c.Id }.Order(), engine.HeldLoras.Order());
        var installed = await node.GetModelsAsync();
        Assert.DoesNotContain(installed, m => m.Name == b.NodeName);
        Assert.Contains(installed, m => m.Name == a.NodeName);
    }

    [Fact]
    public async Task A_lora_a_running_job_uses_is_never_evicted()
    {
        await using var files = await LoraFileServer.StartAsync();
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 40, Concurrency = 2 });
        var a = files.Add("sd1", InvokeAiTestLoras.Safetensors("sd-1", salt: 1));
        var b = files.Add("sd1", InvokeAiTestLoras.Safetensors("sd-1", salt: 2));
        // Room for one file only.
        await using var engine = await LoraEngineAsync(node, cacheBytes: a.Bytes + (a.Bytes / 2));

        var first = RunAsync(engine, Job("sd-1.5", steps: 25) with { Loras = [a] });
        await EventuallyAsync(async () => (await node.RecordAsync()).Items.Any(i => i.Status == "in_progress"), "the first job to run");
        await RunAsync(engine, Job("sd-1.5", steps: 2) with { Loras = [b] });
        Assert.False(first.IsCompleted);
        await first;

        var record = await node.RecordAsync();
        NoViolations(record);
        Assert.Equal(2, record.Installs.Count);
        Assert.Empty(record.DeletedModels);

        // Once nothing holds them, the next install makes room: both go, oldest first.
        var c = files.Add("sd1", InvokeAiTestLoras.Safetensors("sd-1", salt: 3));
        await RunAsync(engine, Job("sd-1.5", steps: 2) with { Loras = [c] });
        record = await node.RecordAsync();
        Assert.Equal(2, record.DeletedModels.Count);
        Assert.Equal([c.Id], engine.HeldLoras);
    }

    [Fact]
    public async Task An_install_the_node_fails_fails_the_job_with_lora_install_failed()
    {
        await using var files = await LoraFileServer.StartAsync();
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 1 });
        await using var engine = await LoraEngineAsync(node);

        await node.FailNextInstallAsync("OSError", "No space left on device");
        var lora = files.Add("sd1", InvokeAiTestLoras.Safetensors("sd-1"));
        var failed = await Assert.ThrowsAsync<EngineFailedException>(() => RunAsync(engine, Job("sd-1.5") with { Loras = [lora] }));
        Assert.Equal("lora_install_failed", failed.Code);
        Assert.DoesNotContain(lora.DownloadUrl, failed.Message);

        // A file the node cannot identify as a LoRA fails the same way.
        var junk = files.Add("sd1", InvokeAiTestLoras.NotALora());
        var refused = await Assert.ThrowsAsync<EngineFailedException>(() => RunAsync(engine, Job("sd-1.5") with { Loras = [junk] }));
        Assert.Equal("lora_install_failed", refused.Code);

        var record = await node.RecordAsync();
        Assert.Empty(record.Enqueued);
        Assert.All(record.Installs, i => Assert.Equal("error", i.Status));
        Assert.Empty(engine.HeldLoras);

        // A later job installs it again (the failure is not cached).
        await RunAsync(engine, Job("sd-1.5") with { Loras = [lora] });
        Assert.Equal([lora.Id], engine.HeldLoras);
    }

    [Fact]
    public async Task A_failed_install_of_a_lora_another_worker_installed_meanwhile_adopts_that_one()
    {
        await using var files = await LoraFileServer.StartAsync();
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 1 });
        var lora = files.Add("sd1", InvokeAiTestLoras.Safetensors("sd-1"));
        await using var engine = await LoraEngineAsync(node);
        // Installed by another worker process after this one's last refresh; this one's own install then fails.
        await InvokeAiAddOnTestKit.InstallAsync(node, [InvokeAiAddOnTestKit.CachedLora(lora)]);
        await node.FailNextInstallAsync("DuplicateModelException", "A model with name='...' is already installed");

        await RunAsync(engine, Job("sd-1.5") with { Loras = [lora] });

        var record = await node.RecordAsync();
        NoViolations(record);
        var existing = (await node.GetModelsAsync()).Single(m => m.Name == lora.NodeName);
        var selector = Assert.Single(NodesOfType(Graph(record), "lora_selector"));
        Assert.Equal(existing.Key, selector.GetProperty("lora").GetProperty("key").GetString());
        Assert.Equal([lora.Id], engine.HeldLoras);
    }

    [Fact]
    public async Task An_install_past_its_timeout_is_cancelled_and_retryable()
    {
        await using var files = await LoraFileServer.StartAsync();
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { InstallDelayMs = 20_000 });
        await using var engine = await LoraEngineAsync(node, timeoutSeconds: 0.5);
        var lora = files.Add("flux", InvokeAiTestLoras.Safetensors("flux"));

        var error = await Assert.ThrowsAsync<RetryableEngineException>(() => RunAsync(engine, Job("flux-schnell") with { Loras = [lora] }));

        Assert.Equal("lora_install_timeout", error.Code);
        var record = await node.RecordAsync();
        Assert.Equal("cancelled", Assert.Single(record.Installs).Status);
        Assert.Empty(record.Enqueued);
    }

    private static async Task<InvokeAiEngine> LoraEngineAsync(InvokeAiTestNode node, long? cacheBytes = null, double timeoutSeconds = 20)
    {
        var engine = new InvokeAiEngine(
            new InvokeAiNodeOptions
            {
                Url = node.BaseUrl.ToString(),
                GpuClass = "l4",
                Concurrency = 2,
                LoraCacheGigabytes = cacheBytes is { } bytes ? bytes / 1e9 : 20,
                LoraInstallTimeoutSeconds = timeoutSeconds,
            },
            Options(),
            TimeProvider.System,
            NullLogger<InvokeAiEngine>.Instance);
        await engine.RefreshAsync(CancellationToken.None);
        return engine;
    }
}
