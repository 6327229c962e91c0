using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Data;
using Pingvas.Server.Gallery;
using Pingvas.Server.Tests.Email;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Server.YourData;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.YourData;

/// <summary>
/// <c>POST /me/export</c> end to end: the ZIP built in the background with its JSON and PNGs, the
/// progress, the signed link (also emailed), one export at a time, owner-only, and the expiry.
/// </summary>
public sealed class ExportTests(EmailServerFixture fixture) : IClassFixture<EmailServerFixture>
{
    private readonly PingvasServer server = fixture.Server;

    private readonly SmtpServer smtp = fixture.Smtp;

    [Fact]
    public async Task An_export_holds_the_accounts_json_and_originals_is_linked_emailed_and_expires()
    {
        // Verified, so the Free credits are granted (with email on, sign-up holds them back until then).
        var user = await server.VerifiedUserAsync(smtp);
        await server.SetPlanAsync(user.Id, "pro");
        var first = await user.GenerateAsync(TestUser.Request("a red fox in snow", batchSize: 2));
        var second = await user.GenerateAsync(TestUser.Request("붉은여우가 달린다"));
        var images = first.Images.Concat(second.Images).ToList();

        // Organise one image (the gallery's API is another part's: arranged in the database).
        var folderId = Ids.New();
        await server.QueryAsync(async db =>
        {
            db.Folders.Add(new Folder { Id = folderId, UserId = user.Id, Name = "여우들", CreatedAt = DateTime.UtcNow });
            db.ImageTags.Add(new ImageTag { ImageId = images[0].Id, UserId = user.Id, Tag = "fox" });
            db.ImageTags.Add(new ImageTag { ImageId = images[0].Id, UserId = user.Id, Tag = "겨울" });
            await db.SaveChangesAsync();
            return await db.Images.Where(i => i.Id == images[0].Id)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Starred, true).SetProperty(i => i.FolderId, folderId));
        });

        var response = await user.Client.PostAsync("/api/v1/me/export", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var requested = (await response.Content.ReadFromJsonAsync<ExportBody>(Json.Options))!;
        Assert.Equal($"/api/v1/me/export/{requested.Id}", response.Headers.Location?.OriginalString);
        Assert.Contains(requested.Status, new[] { "queued", "running" });
        Assert.Null(requested.DownloadUrl);

        var (export, seen) = await user.WaitForExportAsync(requested.Id);
        Assert.Equal("ready", export.Status);
        Assert.Equal(100, export.Progress);
        Assert.Equal(seen.Order().ToList(), seen);
        Assert.NotNull(export.DownloadUrl);
        Assert.StartsWith($"{SmtpServer.PublicUrl}/api/v1/files/users/{user.Id:N}/exports/{export.Id:N}.zip?", export.DownloadUrl);
        var now = server.Time.GetUtcNow().UtcDateTime;
        Assert.InRange(export.ExpiresAt!.Value, now.AddDays(7).AddMinutes(-1), now.AddDays(7).AddMinutes(1));
        Assert.Contains(export, (await user.Client.GetFromJsonAsync<ExportListBody>("/api/v1/me/exports", Json.Options))!.Items);

        // The link downloads the ZIP with no bearer token.
        var download = await server.GetLinkAsync(export.DownloadUrl);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var zipBytes = await download.Content.ReadAsByteArrayAsync();
        Assert.Equal(export.Bytes, zipBytes.Length);
        using (var zip = new ZipArchive(new MemoryStream(zipBytes), ZipArchiveMode.Read))
        {
            var account = Read(zip, "account.json");
            Assert.Equal(user.Email, account.GetProperty("email").GetString());
            var accountText = account.GetRawText();
            Assert.DoesNotContain("password", accountText, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("totpSecret", accountText, StringComparison.OrdinalIgnoreCase);

            var jobs = Read(zip, "jobs.json").EnumerateArray().ToList();
            Assert.Equal(new[] { first.Id, second.Id }, jobs.Select(j => j.GetProperty("id").GetGuid()));
            Assert.Equal("붉은여우가 달린다", jobs[1].GetProperty("prompt").GetString());

            var ledger = Read(zip, "ledger.json").EnumerateArray().ToList();
            Assert.Equal((await user.LedgerAsync()).Select(e => e.Id).Order(), ledger.Select(e => e.GetProperty("id").GetGuid()).Order());

            var described = Read(zip, "images.json").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetGuid());
            Assert.Equal(images.Select(i => i.Id).Order(), described.Keys.Order());
            var organised = described[images[0].Id];
            Assert.True(organised.GetProperty("starred").GetBoolean());
            Assert.Equal("여우들", organised.GetProperty("folder").GetString());
            Assert.Equal(new[] { "fox", "겨울" }, organised.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
            Assert.False(described[images[1].Id].GetProperty("starred").GetBoolean());

            foreach (var image in images)
            {
                var entry = zip.GetEntry($"images/{image.Id}.png");
                Assert.NotNull(entry);
                using var copy = new MemoryStream();
                await using (var content = await entry.OpenAsync())
                {
                    await content.CopyToAsync(copy);
                }

                Assert.Equal(PngSignature, copy.ToArray()[..8]);
                Assert.Equal(await File.ReadAllBytesAsync(ObjectFiles(server, user.Id, image.Id)[0]), copy.ToArray());
                Assert.Equal($"images/{image.Id}.png", described[image.Id].GetProperty("file").GetString());
            }
        }

        // The same link arrives by email.
        await Eventually.UntilAsync(() => Task.FromResult(smtp.MessagesTo(user.Email).Any(m => m.Text.Contains("/exports/", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(30), "The export_ready email did not arrive.");
        var mail = smtp.MessagesTo(user.Email).Single(m => m.Text.Contains("/exports/", StringComparison.Ordinal));
        Assert.Equal("Your data export is ready", mail.Subject);
        Assert.Contains(export.DownloadUrl, mail.Text);

        // Seven days on, the expiry chore deletes the ZIP; the export says so and has no link.
        var key = $"users/{user.Id:N}/exports/{export.Id:N}.zip";
        Assert.Contains(key, await server.UserObjectsAsync(user.Id));
        await server.JumpClockAsync(TimeSpan.FromDays(7).Add(TimeSpan.FromMinutes(1)));
        Assert.True(await server.Services.GetRequiredService<ExportExpiry>().RunOnceAsync(CancellationToken.None) >= 1);
        Assert.DoesNotContain(key, await server.UserObjectsAsync(user.Id));
        var expired = (await user.Client.GetFromJsonAsync<ExportBody>($"/api/v1/me/export/{export.Id}", Json.Options))!;
        Assert.Equal(("expired", (string?)null), (expired.Status, expired.DownloadUrl));
        Assert.Equal(HttpStatusCode.Forbidden, (await server.GetLinkAsync(export.DownloadUrl)).StatusCode);
    }

    [Fact]
    public async Task Only_one_export_runs_at_a_time_and_another_users_export_is_not_found()
    {
        var user = await server.RegisterAsync();
        var other = await server.RegisterAsync();

        // One already running (as the worker leaves it while it builds): a second request is refused.
        var running = new DataExport { Id = Ids.New(), UserId = user.Id, Status = ExportStatus.Running, CreatedAt = DateTime.UtcNow, StartedAt = DateTime.UtcNow };
        await server.QueryAsync(db =>
        {
            db.DataExports.Add(running);
            return db.SaveChangesAsync();
        });
        var refused = await AssertProblemAsync(await user.Client.PostAsync("/api/v1/me/export", null), HttpStatusCode.Conflict, "export_in_progress");
        Assert.Equal(running.Id, (Guid?)refused["exportId"]);

        // Another user's export answers like a missing one, and is not in their list.
        await AssertProblemAsync(await other.Client.GetAsync($"/api/v1/me/export/{running.Id}"), HttpStatusCode.NotFound, "export_not_found");
        await AssertProblemAsync(await other.Client.GetAsync($"/api/v1/me/export/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "export_not_found");
        Assert.Empty((await other.Client.GetFromJsonAsync<ExportListBody>("/api/v1/me/exports", Json.Options))!.Items);
        Assert.Single((await user.Client.GetFromJsonAsync<ExportListBody>("/api/v1/me/exports", Json.Options))!.Items);

        // The other user's own export is unaffected by this one's.
        var response = await other.Client.PostAsync("/api/v1/me/export", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var theirs = (await response.Content.ReadFromJsonAsync<ExportBody>(Json.Options))!;
        Assert.Equal("ready", (await other.WaitForExportAsync(theirs.Id)).Export.Status);
        await AssertProblemAsync(await user.Client.GetAsync($"/api/v1/me/export/{theirs.Id}"), HttpStatusCode.NotFound, "export_not_found");

        // A build that never finished (its process stopped) blocks new ones only for a while.
        await server.JumpClockAsync(ExportService.StaleBuild + TimeSpan.FromMinutes(1));
        var again = await user.Client.PostAsync("/api/v1/me/export", null);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var built = (await user.WaitForExportAsync((await again.Content.ReadFromJsonAsync<ExportBody>(Json.Options))!.Id)).Export;
        Assert.Equal(("ready", 100), (built.Status, built.Progress));
        var interrupted = (await user.Client.GetFromJsonAsync<ExportBody>($"/api/v1/me/export/{running.Id}", Json.Options))!;
        Assert.Equal(("failed", "The build was interrupted."), (interrupted.Status, interrupted.Error));
    }

    [Fact]
    public async Task Unauthenticated_calls_are_refused()
    {
        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/v1/me/export", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/me/exports")).StatusCode);
    }

    private static JsonElement Read(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name);
        Assert.NotNull(entry);
        using var stream = entry.Open();
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.Clone();
    }
}
