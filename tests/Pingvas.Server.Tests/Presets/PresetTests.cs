using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Presets;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Presets;

/// <summary>A user's own presets through the API: CRUD, validation, the limit, and another user's ids.</summary>
public sealed class PresetTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    internal static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    internal static async Task<List<JsonElement>> ItemsAsync(TestUser user, string url = "/api/v1/presets") =>
        [.. (await ReadAsync(await user.Client.GetAsync(url), HttpStatusCode.OK)).GetProperty("items").EnumerateArray()];

    [Fact]
    public async Task A_preset_is_created_listed_renamed_changed_and_deleted()
    {
        var user = await server.RegisterAsync();
        var settings = new { model = "sd-1.5", width = 640, height = 512, steps = 30, cfgScale = 6.5, scheduler = "dpmpp_2m", negativePrompt = "blurry", tags = new[] { " Ｆox ", "night  sky" } };
        var created = await ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/presets", new { name = "  Portrait  ", settings }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal(("Portrait", false), (created.GetProperty("name").GetString(), created.GetProperty("shared").GetBoolean()));
        Assert.Equal(JsonValueKind.Null, created.GetProperty("defaultForModel").ValueKind);
        var s = created.GetProperty("settings");
        Assert.Equal(("sd-1.5", 640, 512, 30, 6.5, "dpmpp_2m", "blurry"), (s.GetProperty("model").GetString(), s.GetProperty("width").GetInt32(), s.GetProperty("height").GetInt32(),
            s.GetProperty("steps").GetInt32(), s.GetProperty("cfgScale").GetDouble(), s.GetProperty("scheduler").GetString(), s.GetProperty("negativePrompt").GetString()));
        // Tags are stored as the gallery normalises them.
        Assert.Equal(["fox", "night sky"], s.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        var listed = Assert.Single(await ItemsAsync(user), p => p.GetProperty("id").GetGuid() == id);
        Assert.Equal("Portrait", listed.GetProperty("name").GetString());

        // A rename keeps the settings; new settings replace the old ones as a whole.
        var renamed = await ReadAsync(await user.Client.PatchAsJsonAsync($"/api/v1/presets/{id}", new { name = "Close-up" }), HttpStatusCode.OK);
        Assert.Equal(("Close-up", 640), (renamed.GetProperty("name").GetString(), renamed.GetProperty("settings").GetProperty("width").GetInt32()));
        var changed = await ReadAsync(await user.Client.PatchAsJsonAsync($"/api/v1/presets/{id}", new { settings = new { steps = 12, negativePrompt = "  " } }), HttpStatusCode.OK);
        var c = changed.GetProperty("settings");
        Assert.Equal(("Close-up", 12), (changed.GetProperty("name").GetString(), c.GetProperty("steps").GetInt32()));
        Assert.Equal(JsonValueKind.Null, c.GetProperty("width").ValueKind);
        Assert.Equal(JsonValueKind.Null, c.GetProperty("negativePrompt").ValueKind);

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/presets/{id}")).StatusCode);
        Assert.DoesNotContain(await ItemsAsync(user), p => p.GetProperty("id").GetGuid() == id);
        await ProblemAssert.ReadAsync(await user.Client.DeleteAsync($"/api/v1/presets/{id}"), HttpStatusCode.NotFound, "preset_not_found");
        await ProblemAssert.ReadAsync(await user.Client.PatchAsJsonAsync($"/api/v1/presets/{id}", new { name = "x" }), HttpStatusCode.NotFound, "preset_not_found");
    }

    [Fact]
    public async Task Own_presets_are_listed_by_name()
    {
        var user = await server.RegisterAsync();
        foreach (var name in new[] { "b", "C", "a" })
        {
            await ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/presets", new { name, settings = new { steps = 20 } }), HttpStatusCode.Created);
        }

        Assert.Equal(["a", "b", "C"], (await ItemsAsync(user)).Where(p => !p.GetProperty("shared").GetBoolean()).Select(p => p.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Settings_are_checked_with_the_submit_rules_and_the_name_is_1_to_80_characters()
    {
        var user = await server.RegisterAsync();
        var bad = new { model = "nope", width = 65, height = 30, steps = 0, cfgScale = 99.0, scheduler = "warp", negativePrompt = new string('n', 2001), tags = new[] { new string('t', 41) } };
        await ProblemAssert.ValidationAsync(await user.Client.PostAsJsonAsync("/api/v1/presets", new { name = "x", settings = bad }),
            "settings.model", "settings.width", "settings.height", "settings.steps", "settings.cfgScale", "settings.scheduler", "settings.negativePrompt", "settings.tags");
        await ProblemAssert.ValidationAsync(await user.Client.PostAsJsonAsync("/api/v1/presets", new { name = "x", settings = new { tags = Enumerable.Range(0, 21).Select(i => $"t{i}") } }),
            "settings.tags");
        await ProblemAssert.ValidationAsync(await user.Client.PostAsJsonAsync("/api/v1/presets", new { name = "   ", settings = new { } }), "name");
        await ProblemAssert.ValidationAsync(await user.Client.PostAsJsonAsync("/api/v1/presets", new { name = new string('n', 81), settings = new { } }), "name");
        await ProblemAssert.ValidationAsync(await user.Client.PostAsJsonAsync("/api/v1/presets", new { settings = new { } }), "name");

        // 80 characters and empty settings are a preset; a sent field is checked on a change too.
        var ok = await ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/presets", new { name = new string('n', 80), settings = new { } }), HttpStatusCode.Created);
        var id = ok.GetProperty("id").GetGuid();
        await ProblemAssert.ValidationAsync(await user.Client.PatchAsJsonAsync($"/api/v1/presets/{id}", new { settings = new { scheduler = "warp" } }), "settings.scheduler");
        await ProblemAssert.ValidationAsync(await user.Client.PatchAsJsonAsync($"/api/v1/presets/{id}", new { name = "" }), "name");
        Assert.Equal(0, await server.QueryAsync(db => db.Presets.CountAsync(p => p.UserId == user.Id && p.Name != new string('n', 80))));
    }

    [Fact]
    public async Task A_user_keeps_at_most_100_presets_even_when_two_saves_race()
    {
        var user = await server.RegisterAsync();
        var now = server.Time.GetUtcNow().UtcDateTime;
        await server.QueryAsync(async db =>
        {
            db.Presets.AddRange(Enumerable.Range(0, PresetService.MaxPresetsPerUser - 1).Select(i => new Preset
            {
                Id = Guid.NewGuid(),
                UserId = user.Id,
                Name = $"p{i}",
                Settings = "{}",
                CreatedAt = now,
                UpdatedAt = now,
            }));
            return await db.SaveChangesAsync();
        });

        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(i => user.Client.PostAsJsonAsync("/api/v1/presets", new { name = $"race {i}", settings = new { } })));
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        await ProblemAssert.ReadAsync(Assert.Single(answers, a => a.StatusCode != HttpStatusCode.Created), HttpStatusCode.Conflict, "preset_limit");
        Assert.Equal(PresetService.MaxPresetsPerUser, await server.QueryAsync(db => db.Presets.CountAsync(p => p.UserId == user.Id)));

        // Deleting one makes room again.
        var first = (await ItemsAsync(user)).First(p => !p.GetProperty("shared").GetBoolean()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/presets/{first}")).StatusCode);
        await ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/presets", new { name = "again", settings = new { } }), HttpStatusCode.Created);
    }

    [Fact]
    public async Task Another_users_preset_is_not_found_on_every_route()
    {
        var owner = await server.RegisterAsync();
        var other = await server.RegisterAsync();
        var id = (await ReadAsync(await owner.Client.PostAsJsonAsync("/api/v1/presets", new { name = "Mine", settings = new { steps = 9 } }), HttpStatusCode.Created))
            .GetProperty("id").GetGuid();

        await ProblemAssert.ReadAsync(await other.Client.PatchAsJsonAsync($"/api/v1/presets/{id}", new { name = "Theirs" }), HttpStatusCode.NotFound, "preset_not_found");
        await ProblemAssert.ReadAsync(await other.Client.DeleteAsync($"/api/v1/presets/{id}"), HttpStatusCode.NotFound, "preset_not_found");
        Assert.DoesNotContain(await ItemsAsync(other), p => p.GetProperty("id").GetGuid() == id);

        // Still the owner's, unchanged.
        var mine = Assert.Single(await ItemsAsync(owner), p => p.GetProperty("id").GetGuid() == id);
        Assert.Equal(("Mine", 9), (mine.GetProperty("name").GetString(), mine.GetProperty("settings").GetProperty("steps").GetInt32()));
    }

    [Fact]
    public async Task Presets_need_a_signed_in_user()
    {
        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/presets")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/v1/presets", new { name = "x", settings = new { } })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/presets/default?model=sd-1.5")).StatusCode);
    }
}
