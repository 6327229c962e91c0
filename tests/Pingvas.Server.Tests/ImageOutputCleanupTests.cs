using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

using Pingvas.Engines;
using Pingvas.Engines.Imaging;
using Pingvas.Server.Generation;
using Pingvas.Server.Hosting;
using Pingvas.Server.Jobs;
using Pingvas.Server.Queue;
using Pingvas.Server.Storage;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// A job whose images cannot all be stored leaves no objects behind: what was put before the failure
/// is deleted, and the job fails and is refunded.
/// </summary>
public sealed class ImageOutputCleanupTests
{
    [Fact]
    public async Task A_store_failure_on_a_later_image_fails_the_job_refunds_it_and_leaves_no_objects()
    {
        // Two images of three objects each; the fifth put (the second image's first thumbnail) fails.
        FaultyObjectStore? faulty = null;
        await using var server = await PingvasServer.StartAsync(configureServices: services =>
            services.AddSingleton<IObjectStore>(sp => faulty = new FaultyObjectStore(new LocalObjectStore(sp.GetRequiredService<DataPaths>().Objects)) { FailOnPut = 5 }));
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var before = (await user.MeAsync()).Credits.Balance;

        var submitted = await user.SubmitAsync(TestUser.Request(steps: 1, batchSize: 2));
        var done = await user.WaitForAsync(submitted.Id);

        Assert.Equal("failed", done.Status);
        Assert.Empty(done.Images);
        Assert.True(faulty!.Puts >= 5, $"Only {faulty.Puts} puts: the failure was never reached.");
        var me = await user.MeAsync();
        Assert.Equal(before, me.Credits.Balance);
        Assert.Equal(0, me.Credits.Reserved);
        var ledger = await user.LedgerAsync();
        Assert.Contains(ledger, e => e.Kind == "release" && e.JobId == submitted.Id);
        Assert.Equal(me.Credits.Balance, ledger.Sum(e => e.Amount));

        var folder = Path.Combine(server.DataPath, "objects", "users", user.Id.ToString("N"));
        var left = Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories) : [];
        Assert.True(left.Length == 0, $"Objects left behind: {string.Join(", ", left)}");
    }

    [Fact]
    public async Task The_original_exception_survives_a_clean_up_that_fails_too()
    {
        var objects = Path.Combine(Path.GetTempPath(), "pingvas-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var faulty = new FaultyObjectStore(new LocalObjectStore(objects)) { FailOnPut = 4, FailDeletes = true };
            var outputs = new ImageOutputs(faulty, TimeProvider.System, NullLogger<ImageOutputs>.Instance);
            var job = new Job { Id = Guid.CreateVersion7(), UserId = Guid.CreateVersion7(), Prompt = "p", ModelId = "sd-1.5", Scheduler = "euler", BatchSize = 2 };
            var pixels = new RgbaImage(16, 16);
            var result = new EngineResult("test", [new EngineImage(0, 1, pixels, new Dictionary<string, string>()), new EngineImage(1, 2, pixels, new Dictionary<string, string>())],
                TimeSpan.FromSeconds(1), TimeSpan.Zero);

            var error = await Assert.ThrowsAsync<IOException>(() => outputs.StoreAsync(job, result, CancellationToken.None));

            // The store's exception, not one from the clean-up.
            Assert.StartsWith("Put number 4 fails on purpose", error.Message, StringComparison.Ordinal);

            // Every key it tried to write was deleted, the failed one included, although each delete failed.
            Assert.Equal(4, faulty.DeleteAttempts.Count);
            Assert.Equal(4, faulty.DeleteAttempts.Distinct().Count());
            Assert.All(faulty.DeleteAttempts, k => Assert.True(ObjectKeys.TryParseImage(k, out var owner, out _) && owner == job.UserId, k));
        }
        finally
        {
            if (Directory.Exists(objects))
            {
                Directory.Delete(objects, recursive: true);
            }
        }
    }
}
