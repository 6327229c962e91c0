using Pingvas.Engines.InvokeAi;
using Pingvas.Testing.InvokeAi;

using static Pingvas.Engines.Tests.InvokeAi.InvokeAiTestKit;

namespace Pingvas.Engines.Tests.InvokeAi;

/// <summary>What a node's failures become: retryable (the job goes back to the queue) or not (our bug, or the node's error).</summary>
public sealed class InvokeAiFailureTests
{
    [Fact]
    public async Task An_invocation_error_fails_the_job_without_retry()
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 5 });
        await using var engine = await EngineAsync(node);
        await node.FailNextAsync("RuntimeError", "CUDA out of memory.");

        var error = await Assert.ThrowsAsync<InvokeAiNodeErrorException>(() => RunAsync(engine, Job("sd-1.5")));

        Assert.IsNotType<RetryableEngineException>(error, exactMatch: false);
        Assert.Equal("RuntimeError", error.ErrorType);
        var record = await node.RecordAsync();
        Assert.Equal("failed", Assert.Single(record.Items).Status);
        Assert.All(record.Uploads, u => Assert.DoesNotContain(u.ImageName, record.Images));
        NoViolations(record);
    }

    [Fact]
    public async Task A_node_restart_mid_job_is_retryable_as_node_restarted()
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 100 });
        await using var engine = await EngineAsync(node);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var bounded = new CancellationTokenSource(Bounded);

        var run = engine.RunAsync(Job("sd-1.5", steps: 50), _ =>
        {
            running.TrySetResult();
            return ValueTask.CompletedTask;
        }, bounded.Token);
        await running.Task.WaitAsync(Bounded);
        await node.RestartAsync(TimeSpan.FromMilliseconds(300));

        var error = await Assert.ThrowsAsync<RetryableEngineException>(() => run);
        Assert.Equal("node_restarted", error.Code);
        var record = await node.RecordAsync();
        Assert.Equal("canceled", Assert.Single(record.Items).Status);
        Assert.Empty(record.Cancels);
    }

    [Fact]
    public async Task A_restart_that_clears_the_queue_is_retryable_as_node_restarted()
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 100 });
        await using var engine = await EngineAsync(node);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var bounded = new CancellationTokenSource(Bounded);

        var run = engine.RunAsync(Job("sdxl-1.0", steps: 50), _ =>
        {
            running.TrySetResult();
            return ValueTask.CompletedTask;
        }, bounded.Token);
        await running.Task.WaitAsync(Bounded);
        await node.RestartClearingQueueAsync(TimeSpan.FromMilliseconds(300));

        var error = await Assert.ThrowsAsync<RetryableEngineException>(() => run);
        Assert.Equal("node_restarted", error.Code);
        Assert.Empty((await node.RecordAsync()).Cancels);
    }

    [Fact]
    public async Task A_node_that_is_down_makes_refresh_throw_and_runs_retryable()
    {
        await using var node = await InvokeAiTestNode.StartAsync();
        await using var engine = await EngineAsync(node);
        await node.GoDownAsync();

        var refresh = await Assert.ThrowsAsync<RetryableEngineException>(() => engine.RefreshAsync(CancellationToken.None));
        Assert.Equal("node_unavailable", refresh.Code);
        var run = await Assert.ThrowsAsync<RetryableEngineException>(() => RunAsync(engine, Job("sd-1.5")));
        Assert.Equal("node_unavailable", run.Code);

        await node.ComeBackAsync();
        await engine.RefreshAsync(CancellationToken.None);
        var (result, _) = await RunAsync(engine, Job("sd-1.5"));
        Assert.Single(result.Images);
    }

    [Fact]
    public async Task A_node_going_down_mid_job_is_retryable()
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 100 });
        await using var engine = await EngineAsync(node);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var bounded = new CancellationTokenSource(Bounded);

        var run = engine.RunAsync(Job("sd-1.5", steps: 50), _ =>
        {
            running.TrySetResult();
            return ValueTask.CompletedTask;
        }, bounded.Token);
        await running.Task.WaitAsync(Bounded);
        await node.GoDownAsync();

        var error = await Assert.ThrowsAsync<RetryableEngineException>(() => run);
        Assert.Contains(error.Code, new[] { "node_unavailable", "node_restarted" });
    }

    [Fact]
    public async Task Maintenance_409_is_retryable()
    {
        await using var node = await InvokeAiTestNode.StartAsync();
        await using var engine = await EngineAsync(node);
        await node.SetMaintenanceAsync(true);

        var error = await Assert.ThrowsAsync<RetryableEngineException>(() => RunAsync(engine, Job("sd-1.5")));

        Assert.Equal("node_maintenance", error.Code);
        Assert.Equal(409, Assert.Single((await node.RecordAsync()).Enqueued).Status);
    }

    [Fact]
    public async Task A_full_node_queue_is_node_busy_and_nothing_stays_enqueued()
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { MaxQueueSize = 0 });
        await using var engine = await EngineAsync(node);

        var error = await Assert.ThrowsAsync<RetryableEngineException>(() => RunAsync(engine, Job("sd-1.5")));

        Assert.Equal("node_busy", error.Code);
        var record = await node.RecordAsync();
        var enqueue = Assert.Single(record.Enqueued);
        Assert.True(enqueue.Enqueued < enqueue.Requested);
        Assert.All(record.Items, i => Assert.NotEqual("pending", i.Status));
    }

    [Fact]
    public async Task Cancellation_cancels_the_item_on_the_node_promptly()
    {
        await using var node = await InvokeAiTestNode.StartAsync(new InvokeAiTestNodeSettings { StepDelayMs = 100 });
        await using var engine = await EngineAsync(node);
        using var cancel = new CancellationTokenSource(Bounded);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var run = engine.RunAsync(Job("sd-1.5", steps: 100), _ =>
        {
            running.TrySetResult();
            return ValueTask.CompletedTask;
        }, cancel.Token);
        await running.Task.WaitAsync(Bounded);
        var requested = DateTime.UtcNow;
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(DateTime.UtcNow - requested < TimeSpan.FromSeconds(3), "cancellation took too long");
        var record = await node.RecordAsync();
        var item = Assert.Single(record.Items);
        Assert.Contains(item.ItemId, record.Cancels);
        Assert.Equal("canceled", item.Status);
        Assert.All(record.Uploads, u => Assert.DoesNotContain(u.ImageName, record.Images));
    }

    [Fact]
    public async Task A_model_the_node_lacks_is_retryable_elsewhere()
    {
        await using var node = await InvokeAiTestNode.StartAsync();
        var models = await node.GetModelsAsync();
        await node.SetModelsAsync(models.Where(m => m.Name != "RealESRGAN_x4plus").ToList());
        await using var engine = await EngineAsync(node);

        var error = await Assert.ThrowsAsync<RetryableEngineException>(() =>
            RunAsync(engine, Job(kind: EngineJobKind.Upscale, width: 128, height: 128, scale: 4, init: Picture(32, 32))));

        Assert.Equal("node_missing_model", error.Code);
        Assert.Empty((await node.RecordAsync()).Enqueued);
    }
}
