using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

using Pingvas.Server.Queue;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// The positions a fresh process reports from its first queue snapshot, which is read inside the
/// submit's own transaction and so already holds the job being submitted.
/// </summary>
public sealed class FirstPositionTests
{
    [Fact]
    public async Task The_first_job_on_an_empty_queue_is_first_and_the_next_users_is_second()
    {
        // No workers here (one elsewhere serves the model): what is submitted stays queued.
        await using var server = await PingvasServer.StartAsync(new TestSettings(), configureServices: RemoteWorker.ReplacePool);
        var first = await server.RegisterAsync();
        var second = await server.RegisterAsync();

        Assert.Equal(1, (await first.SubmitAsync(TestUser.Request(steps: 1))).QueuePosition);
        Assert.Equal(2, (await second.SubmitAsync(TestUser.Request(steps: 1))).QueuePosition);
    }
}
