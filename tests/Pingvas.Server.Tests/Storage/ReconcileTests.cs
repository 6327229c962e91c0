using System.Net;
using System.Security.Cryptography;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Storage;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.YourData;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.Storage;

/// <summary>
/// <c>pingvas storage-reconcile</c> after a database restore, on the local store and on S3 (s3rver), on
/// whichever database the suite runs (<c>PINGVAS_TEST_DATABASE</c>). What a restore leaves is arranged
/// on a live server: objects written "after the backup" have no rows (orphans), objects deleted "after
/// the backup" still have rows (missing). The command runs as the operator runs it, with the server's
/// settings as arguments, and its stdout is read.
/// </summary>
public sealed class ReconcileTests(S3ServerFixture fixture) : IClassFixture<S3ServerFixture>
{
    [Fact]
    public async Task Reconcile_on_the_local_store_reports_quarantines_marks_and_purges()
    {
        await using var server = await PingvasServer.StartAsync();
        await ScenarioAsync(server);
    }

    [Fact]
    public async Task Reconcile_on_s3_reports_quarantines_marks_and_purges()
    {
        await using var server = await PingvasServer.StartAsync(fixture.Server.AppSettings());
        Assert.IsType<S3ObjectStore>(server.Services.GetRequiredService<IObjectStore>());
        await ScenarioAsync(server);
    }

    [Theory]
    [InlineData("--apply --dry-run", "Use either --dry-run or --apply")]
    [InlineData("--older-than 30x", "--older-than takes a duration such as 30d")]
    [InlineData("--sample", "--sample needs a value")]
    [InlineData("--aply", "Unknown option '--aply'")]
    [InlineData("apply", "Unknown option 'apply'")]
    [InlineData("--Storage", "Unknown option '--Storage'")]
    public async Task Bad_arguments_exit_64_before_touching_anything(string arguments, string message)
    {
        var error = new StringWriter();
        Assert.Equal(64, await ReconcileCommand.RunAsync(["storage-reconcile", .. arguments.Split(' ')], new StringWriter(), error, CancellationToken.None));
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
    }

    private static async Task ScenarioAsync(PingvasServer server)
    {
        var store = server.Services.GetRequiredService<IObjectStore>();
        var user = await server.RegisterAsync();
        var kept = (await user.GenerateAsync(TestUser.Request(steps: 1, seed: 1))).Images.Single();
        var damaged = (await user.GenerateAsync(TestUser.Request(steps: 1, seed: 2))).Images.Single();

        // Written after the backup was taken: a job's three images and an upload, without rows now.
        string[] orphans =
        [
            .. ImageKeys(user.Id, Guid.CreateVersion7()),
            $"users/{user.Id:N}/uploads/{Guid.CreateVersion7():N}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}.png",
        ];
        foreach (var key in orphans)
        {
            await store.PutAsync(key, Bytes(key), ObjectKeys.ContentType(key), CancellationToken.None);
        }

        // A key of no shape we write: never judged.
        var unrecognised = $"users/{user.Id:N}/notes/readme.txt";
        await store.PutAsync(unrecognised, "hello"u8.ToArray(), "text/plain", CancellationToken.None);

        // Deleted after the backup: one image's original, and a ready export's ZIP.
        var damagedOriginal = ObjectKeys.Original(user.Id, damaged.Id);
        await store.DeleteAsync(damagedOriginal, CancellationToken.None);
        var exportId = Guid.CreateVersion7();
        var now = server.Time.GetUtcNow().UtcDateTime;
        await server.QueryAsync(db =>
        {
            db.DataExports.Add(new DataExport
            {
                Id = exportId,
                UserId = user.Id,
                Status = ExportStatus.Ready,
                Progress = 100,
                Bytes = 10,
                ObjectKey = ExportLinks.KeyOf(user.Id, exportId),
                CreatedAt = now,
                FinishedAt = now,
                ExpiresAt = now.AddDays(7),
            });
            return db.SaveChangesAsync();
        });

        // Default: a dry run, and everything younger than an hour is left to jobs still committing.
        var output = await RunAsync(server);
        Assert.Contains("storage-reconcile: dry run", output, StringComparison.Ordinal);
        AssertLine(output, "objects listed: 10");
        AssertLine(output, "orphans: 0 (0 bytes)");
        AssertLine(output, "too young to judge (< 60 min): 9");
        AssertLine(output, "unrecognised keys (left alone): 1");
        AssertLine(output, "images rows checked: 2, missing objects: 1");
        AssertLine(output, "exports rows checked: 1, missing objects: 1");
        AssertLine(output, "missing objects: 2");
        Assert.Contains($"images {damaged.Id}: {damagedOriginal}", output, StringComparison.Ordinal);
        Assert.Contains($"exports {exportId}: {ExportLinks.KeyOf(user.Id, exportId)}", output, StringComparison.Ordinal);
        Assert.Contains("objects: 10 listed", output, StringComparison.Ordinal);

        // Judging every age: four orphans are found and shown, still nothing changes.
        output = await RunAsync(server, "--min-age", "0");
        AssertLine(output, "orphans: 4 (" + orphans.Sum(k => Bytes(k).Length) + " bytes)");
        AssertLine(output, "quarantined: 0");
        foreach (var key in orphans)
        {
            Assert.Contains(key, output, StringComparison.Ordinal);
        }

        // A key and a row per query: batches and keyset pages join up to the same answer.
        Assert.Equal(Counts(output), Counts(await RunAsync(server, "--min-age", "0", "--batch-size", "1")));

        await AssertPresentAsync(store, [.. orphans, unrecognised]);
        Assert.Equal(ExportStatus.Ready, await ExportStatusAsync(server, exportId));

        // Apply: orphans move to quarantine/ byte for byte, the export is expired, the rest is untouched.
        output = await RunAsync(server, "--min-age", "0", "--apply");
        AssertLine(output, "quarantined: 4");
        AssertLine(output, "exports marked expired: 1");
        foreach (var key in orphans)
        {
            Assert.False(await store.ExistsAsync(key, CancellationToken.None), $"{key} should have moved.");
            var moved = await store.GetAsync(ReconcileRun.QuarantinePrefix + key, CancellationToken.None);
            Assert.NotNull(moved);
            await using var content = moved.Content;
            using var copy = new MemoryStream();
            await content.CopyToAsync(copy);
            Assert.Equal(Bytes(key), copy.ToArray());
        }

        await AssertPresentAsync(store, [unrecognised, .. ImageKeys(user.Id, kept.Id)]);
        Assert.Equal(ExportStatus.Expired, await ExportStatusAsync(server, exportId));
        var content200 = await user.Client.GetAsync($"/api/v1/images/{kept.Id}/content");
        Assert.Equal(HttpStatusCode.OK, content200.StatusCode);
        Assert.Equal(PngSignature, (await content200.Content.ReadAsByteArrayAsync())[..8]);

        // Idempotent: nothing left to move; the lost original has no state to mark, so it is still reported.
        output = await RunAsync(server, "--min-age", "0", "--apply");
        AssertLine(output, "orphans: 0 (0 bytes)");
        AssertLine(output, "images rows checked: 2, missing objects: 1");
        AssertLine(output, "exports rows checked: 0, missing objects: 0");

        // The quarantine is kept until purged, and only past the given age.
        output = await RunAsync(server, "--purge-quarantine", "--apply");
        AssertLine(output, "quarantined objects past the age: 0");
        output = await RunAsync(server, "--purge-quarantine", "--older-than", "0");
        AssertLine(output, "quarantined objects past the age: 4");
        AssertLine(output, "purged: 0");
        output = await RunAsync(server, "--purge-quarantine", "--older-than=0", "--apply");
        AssertLine(output, "purged: 4");
        foreach (var key in orphans)
        {
            Assert.False(await store.ExistsAsync(ReconcileRun.QuarantinePrefix + key, CancellationToken.None));
        }
    }

    /// <summary>Runs the command with the server's own settings and data folder; returns its stdout.</summary>
    private static async Task<string> RunAsync(PingvasServer server, params string[] arguments)
    {
        var output = new StringWriter();
        string[] args = ["storage-reconcile", .. arguments, "--data", server.DataPath, .. server.Settings.Select(s => $"--{s.Key}={s.Value}")];
        var error = new StringWriter();
        var exit = await ReconcileCommand.RunAsync(args, output, error, CancellationToken.None);
        Assert.True(exit == 0, $"storage-reconcile exited with {exit}:\n{output}\n{error}");
        return output.ToString();
    }

    /// <summary>The summary's counters (the lines between "summary:" and the samples).</summary>
    private static string[] Counts(string output) =>
        [.. output.Split('\n').SkipWhile(l => l.Trim() != "summary:").TakeWhile(l => !l.StartsWith("sample", StringComparison.Ordinal)).Select(l => l.Trim())];

    private static void AssertLine(string output, string line) =>
        Assert.True(output.Split('\n').Any(l => l.Trim() == line), $"Expected the line '{line}' in:\n{output}");

    private static Task<string> ExportStatusAsync(PingvasServer server, Guid id) =>
        server.QueryAsync(db => db.DataExports.Where(e => e.Id == id).Select(e => e.Status).SingleAsync());

    private static byte[] Bytes(string key) => System.Text.Encoding.UTF8.GetBytes($"bytes of {key}");

    private static string[] ImageKeys(Guid userId, Guid imageId) =>
        [ObjectKeys.Original(userId, imageId), ObjectKeys.Thumbnail(userId, imageId, 256), ObjectKeys.Thumbnail(userId, imageId, 512)];

    private static async Task AssertPresentAsync(IObjectStore store, IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            Assert.True(await store.ExistsAsync(key, CancellationToken.None), $"{key} should still exist.");
        }
    }
}
