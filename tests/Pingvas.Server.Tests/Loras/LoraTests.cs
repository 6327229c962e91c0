using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Data;
using Pingvas.Server.Jobs;
using Pingvas.Server.Loras;
using Pingvas.Server.Tests.Infrastructure;
using Pingvas.Testing.Loras;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

using Job = Pingvas.Server.Jobs.Job;

namespace Pingvas.Server.Tests.Loras;

/// <summary>
/// <c>/api/v1/loras</c>: streamed .safetensors uploads checked before anything is kept, the family
/// read from the file, storage quota and size limit, owner-only everywhere, delete refused in use.
/// </summary>
public sealed class LoraTests(LoraTests.Fixture fixture) : IClassFixture<LoraTests.Fixture>
{
    /// <summary>A small limit, so a too-large file is cheap to send.</summary>
    public const long MaxBytes = 256 * 1024;

    private readonly PingvasServer server = fixture.Server;

    public sealed class Fixture() : ServerFixture(new TestSettings().With("Loras:MaxBytes", MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private async Task<TestUser> ProUserAsync()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "pro");
        return user;
    }

    [Fact]
    public async Task A_lora_of_each_family_is_stored_hashed_and_counted_in_storage()
    {
        var user = await ProUserAsync();
        var uploaded = new List<(LoraBody Lora, byte[] Bytes)>();
        foreach (var family in new[] { "sd1", "sdxl", "flux" })
        {
            var bytes = LoraFiles.Of(family);
            var response = await user.PostLoraAsync(bytes, $"{family}-style.safetensors");
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var lora = (await response.Content.ReadFromJsonAsync<LoraBody>(Json.Options))!;
            Assert.Equal($"/api/v1/loras/{lora.Id}", response.Headers.Location?.OriginalString);
            Assert.Equal((family, $"{family}-style", $"{family}-style.safetensors", (long)bytes.Length), (lora.Family, lora.Name, lora.FileName, lora.Bytes));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), lora.Sha256);
            Assert.Empty(lora.TriggerWords);

            var key = await server.LoraKeyAsync(lora.Id);
            Assert.Matches($"^users/{user.Id:N}/loras/{lora.Id:N}-[0-9a-f]{{32}}\\.safetensors$", key);
            Assert.Equal(bytes, await server.ObjectBytesAsync(key));
            Assert.Equal(lora, await user.Client.GetFromJsonAsync<LoraBody>($"/api/v1/loras/{lora.Id}", Json.Options));
            uploaded.Add((lora, bytes));
        }

        var list = await user.LorasAsync();
        Assert.Equal(uploaded.Select(u => u.Lora.Id).Reverse(), list.Items.Select(l => l.Id));
        Assert.Equal(uploaded.Sum(u => (long)u.Bytes.Length), list.UsedBytes);
        var proQuota = await server.QueryAsync(db => db.Plans.Where(p => p.Id == "pro").Select(p => p.StorageBytes).SingleAsync());
        Assert.Equal(proQuota, list.QuotaBytes);
        var tensorCount = await server.QueryAsync(db => db.Loras.Where(l => l.Id == uploaded[0].Lora.Id).Select(l => l.TensorCount).SingleAsync());
        Assert.Equal(6, tensorCount);
    }

    [Fact]
    public async Task The_name_may_come_before_or_after_the_file_and_trigger_words_come_from_the_tags()
    {
        var user = await ProUserAsync();
        var tags = """{"10_pingu": {"pingu": 12, "penguin": 30, "snow": 2}}""";
        var bytes = LoraFiles.Sd1WithTags(tags);

        var after = (await (await user.PostLoraAsync(bytes, "p.safetensors", "  Pingu style  ", nameFirst: false)).Content.ReadFromJsonAsync<LoraBody>(Json.Options))!;
        Assert.Equal("Pingu style", after.Name);
        Assert.Equal(["penguin", "pingu", "snow"], after.TriggerWords);

        var before = await user.UploadLoraAsync(LoraFiles.Sdxl(), "q.safetensors", "Before");
        Assert.Equal(("Before", "sdxl"), (before.Name, before.Family));

        var chunked = await user.PostLoraAsync(LoraFiles.Flux(seed: 3), "streamed.safetensors", chunked: true);
        Assert.Equal(HttpStatusCode.Created, chunked.StatusCode);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(LoraFiles.Flux(seed: 3))), (await chunked.Content.ReadFromJsonAsync<LoraBody>(Json.Options))!.Sha256);

        await AssertProblemAsync(await user.PostLoraAsync(bytes, name: new string('n', LoraService.MaxNameLength + 1)), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await user.PostLoraAsync(bytes, name: "bell\u0007"), HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(3, (await user.LorasAsync()).Items.Count);
        Assert.Equal(3, (await server.LoraObjectsAsync(user.Id)).Count);
    }

    [Fact]
    public async Task Each_malformed_file_is_refused_with_its_reason_and_nothing_is_stored()
    {
        var user = await ProUserAsync();
        var cases = LoraFiles.Broken().Select(b => (b.Name, b.Bytes, "pingu.safetensors", "invalid_safetensors", b.Reason)).Concat(
        [
            ("checkpoint", LoraFiles.NotALora(), "pingu.safetensors", "not_a_lora", "checkpoint"),
            ("no tensors", new SafetensorsBuilder().Build(), "pingu.safetensors", "not_a_lora", "no tensors"),
            ("unknown names", LoraFiles.UnknownFamily(), "pingu.safetensors", "unknown_lora_family", "do not tell"),
            ("sd2", LoraFiles.Sd2(), "pingu.safetensors", "unknown_lora_family", "SD 2.x"),
            ("wrong extension", LoraFiles.Sd1(), "pingu.ckpt", "invalid_safetensors", ".safetensors"),
            ("empty", [], "pingu.safetensors", "invalid_safetensors", "shorter than the 8-byte"),
        ]);
        foreach (var (name, bytes, fileName, code, reason) in cases)
        {
            foreach (var chunked in new[] { false, true })
            {
                var problem = await AssertProblemAsync(await user.PostLoraAsync(bytes, fileName, chunked: chunked), HttpStatusCode.BadRequest, code);
                var detail = (string?)problem["detail"] ?? "";
                Assert.True(detail.Contains(reason, StringComparison.Ordinal), $"{name}: '{detail}' does not say '{reason}'.");
            }
        }

        Assert.Empty((await user.LorasAsync()).Items);
        Assert.Empty(await server.LoraObjectsAsync(user.Id));
        Assert.Empty(await server.QueryAsync(db => db.Loras.Where(l => l.UserId == user.Id).ToListAsync()));
    }

    [Fact]
    public async Task A_request_without_a_file_part_is_a_validation_problem()
    {
        var user = await ProUserAsync();
        await AssertProblemAsync(await user.Client.PostAsync("/api/v1/loras", new MultipartFormDataContent { { new StringContent("x"), "name" } }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await user.Client.PostAsync("/api/v1/loras", new ByteArrayContent(LoraFiles.Sd1())), HttpStatusCode.BadRequest, "validation_failed");
        Assert.Empty(await server.LoraObjectsAsync(user.Id));
    }

    [Fact]
    public async Task Free_and_starter_plans_may_not_upload_loras()
    {
        foreach (var plan in new[] { "free", "starter" })
        {
            var user = await server.RegisterAsync();
            await server.SetPlanAsync(user.Id, plan);
            var problem = await AssertProblemAsync(await user.PostLoraAsync(LoraFiles.Sd1()), HttpStatusCode.Forbidden, "plan_forbids_feature");
            Assert.Equal("loras", (string?)problem["feature"]);

            // Checked first: even a broken file gets the plan's answer.
            await AssertProblemAsync(await user.PostLoraAsync([1, 2, 3]), HttpStatusCode.Forbidden, "plan_forbids_feature");
            Assert.Empty(await server.LoraObjectsAsync(user.Id));
        }
    }

    [Fact]
    public async Task A_file_over_the_limit_is_413_whether_declared_by_the_request_or_by_its_header()
    {
        var user = await ProUserAsync();
        Assert.Equal(MaxBytes, (await user.UploadLoraAsync(LoraFiles.Sd1OfSize(MaxBytes))).Bytes);

        var over = LoraFiles.Sd1OfSize(MaxBytes + 1);
        foreach (var chunked in new[] { false, true })
        {
            var problem = await AssertProblemAsync(await user.PostLoraAsync(over, chunked: chunked), HttpStatusCode.RequestEntityTooLarge, "file_too_large");
            Assert.Contains(MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)problem["detail"], StringComparison.Ordinal);
        }

        // Far over: refused by the request's Content-Length before the body is read.
        await AssertProblemAsync(await user.PostLoraAsync(LoraFiles.Sd1OfSize(MaxBytes * 2)), HttpStatusCode.RequestEntityTooLarge, "file_too_large");
        Assert.Single(await server.LoraObjectsAsync(user.Id));
    }

    [Fact]
    public async Task Loras_count_against_the_storage_quota_and_deleting_frees_it()
    {
        var user = await server.RegisterAsync();
        var first = LoraFiles.Sd1(seed: 1);
        var second = LoraFiles.Sdxl(seed: 2);
        var plan = await server.AddLoraPlanAsync(first.Length + second.Length - 1);
        await server.SetPlanAsync(user.Id, plan);

        var kept = await user.UploadLoraAsync(first);
        var problem = await AssertProblemAsync(await user.PostLoraAsync(second), HttpStatusCode.Forbidden, "storage_quota_exceeded");
        Assert.Contains(plan, (string?)problem["detail"], StringComparison.Ordinal);
        Assert.Single(await server.LoraObjectsAsync(user.Id));
        var list = await user.LorasAsync();
        Assert.Equal((first.Length, first.Length + second.Length - 1L), (list.UsedBytes, list.QuotaBytes));

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/loras/{kept.Id}")).StatusCode);
        await user.UploadLoraAsync(second);
        Assert.Equal(second.Length, (await user.LorasAsync()).UsedBytes);
    }

    [Fact]
    public async Task Rename_and_delete_change_the_owners_lora_and_its_object()
    {
        var user = await ProUserAsync();
        var lora = await user.UploadLoraAsync(LoraFiles.Sd1());
        var key = await server.LoraKeyAsync(lora.Id);

        var renamed = await user.Client.PatchAsJsonAsync($"/api/v1/loras/{lora.Id}", new { name = " Pingu v2 " });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal(lora with { Name = "Pingu v2" }, await renamed.Content.ReadFromJsonAsync<LoraBody>(Json.Options));
        Assert.Equal("Pingu v2", (await user.Client.GetFromJsonAsync<LoraBody>($"/api/v1/loras/{lora.Id}", Json.Options))!.Name);
        foreach (var bad in new[] { "", "   ", new string('x', LoraService.MaxNameLength + 1) })
        {
            await AssertProblemAsync(await user.Client.PatchAsJsonAsync($"/api/v1/loras/{lora.Id}", new { name = bad }), HttpStatusCode.BadRequest, "validation_failed");
        }

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/loras/{lora.Id}")).StatusCode);
        Assert.Null(await server.ObjectBytesAsync(key));
        await AssertProblemAsync(await user.Client.GetAsync($"/api/v1/loras/{lora.Id}"), HttpStatusCode.NotFound, "lora_not_found");
        await AssertProblemAsync(await user.Client.DeleteAsync($"/api/v1/loras/{lora.Id}"), HttpStatusCode.NotFound, "lora_not_found");
        Assert.Empty((await user.LorasAsync()).Items);
    }

    [Fact]
    public async Task A_lora_a_waiting_or_running_job_uses_cannot_be_deleted()
    {
        var user = await ProUserAsync();
        var lora = await user.UploadLoraAsync(LoraFiles.Sd1());
        var other = await user.UploadLoraAsync(LoraFiles.Sd1(seed: 2));
        var jobId = Ids.New();
        await server.QueryAsync(async db =>
        {
            var now = DateTime.UtcNow;
            db.Jobs.Add(new Job { Id = jobId, UserId = user.Id, Status = JobStatus.Queued, Prompt = "held", ModelId = "sd-1.5", Width = 64, Height = 64, Steps = 1, Scheduler = "euler", BatchSize = 1, Priority = 2, ProgressTotal = 1, CreatedAt = now });

            // The job first: the model knows no relationship that would order the inserts.
            await db.SaveChangesAsync();
            db.JobInputs.Add(new JobInput { JobId = jobId, UserId = user.Id, Kind = JobInputKinds.Lora, RefId = lora.Id });

            // An image input with the same id is not this LoRA.
            db.JobInputs.Add(new JobInput { JobId = jobId, UserId = user.Id, Kind = JobInputKinds.Image, RefId = other.Id });
            return await db.SaveChangesAsync();
        });

        try
        {
            foreach (var status in new[] { JobStatus.Queued, JobStatus.Running })
            {
                await server.QueryAsync(db => db.Jobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, status)));
                await AssertProblemAsync(await user.Client.DeleteAsync($"/api/v1/loras/{lora.Id}"), HttpStatusCode.Conflict, "lora_in_use");
            }

            Assert.NotNull(await server.ObjectBytesAsync(await server.LoraKeyAsync(lora.Id)));
            Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/loras/{other.Id}")).StatusCode);
        }
        finally
        {
            await server.QueryAsync(db => db.Jobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Succeeded)));
        }

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/loras/{lora.Id}")).StatusCode);
    }

    [Fact]
    public async Task Another_users_lora_is_not_found_on_every_route_and_stays_intact()
    {
        var alice = await ProUserAsync();
        var bob = await ProUserAsync();
        var lora = await alice.UploadLoraAsync(LoraFiles.Sd1());
        var missing = Guid.CreateVersion7();

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Patch, HttpMethod.Delete })
        {
            HttpRequestMessage Request(Guid id) => new(method, $"/api/v1/loras/{id}") { Content = method == HttpMethod.Patch ? JsonContent.Create(new { name = "mine" }) : null };
            var expected = await AssertProblemAsync(await bob.Client.SendAsync(Request(missing)), HttpStatusCode.NotFound, "lora_not_found");
            var actual = await AssertProblemAsync(await bob.Client.SendAsync(Request(lora.Id)), HttpStatusCode.NotFound, "lora_not_found");
            Assert.Equal(expected.ToJsonString(), actual.ToJsonString());
        }

        Assert.Empty((await bob.LorasAsync()).Items);
        Assert.Equal(lora, await alice.Client.GetFromJsonAsync<LoraBody>($"/api/v1/loras/{lora.Id}", Json.Options));
        Assert.NotNull(await server.ObjectBytesAsync(await server.LoraKeyAsync(lora.Id)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.CreateClient().GetAsync("/api/v1/loras")).StatusCode);
    }

    [Fact]
    public async Task A_workers_download_link_gives_the_exact_bytes_for_ten_minutes()
    {
        var user = await ProUserAsync();
        var bytes = LoraFiles.Flux(seed: 9);
        var uploaded = await user.UploadLoraAsync(bytes);
        var lora = await server.QueryAsync(db => db.Loras.AsNoTracking().SingleAsync(l => l.Id == uploaded.Id));

        var url = server.Services.GetRequiredService<LoraDownloads>().DownloadUrl(lora);
        Assert.True(url.IsAbsoluteUri);
        var expires = long.Parse(System.Web.HttpUtility.ParseQueryString(url.Query)["exp"]!, System.Globalization.CultureInfo.InvariantCulture);
        var left = expires - server.Time.GetUtcNow().ToUnixTimeSeconds();
        Assert.InRange(left, 9 * 60, (10 * 60) + 60);

        // The path and signature on this test server's address (App:PublicUrl names the public one).
        var anonymous = server.CreateClient();
        var download = await anonymous.GetAsync(url.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());

        server.Time.Advance(TimeSpan.FromMinutes(11));
        try
        {
            await AssertProblemAsync(await anonymous.GetAsync(url.PathAndQuery), HttpStatusCode.Forbidden, "invalid_signature");
        }
        finally
        {
            server.Time.Advance(TimeSpan.FromMinutes(-11));
        }
    }
}
