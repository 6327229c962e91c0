using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Pingvas.Server.Tests.Admin;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Presets;

/// <summary>Admin-published presets: plan visibility, one default per model, admin-only routes, the audit log.</summary>
public sealed class SharedPresetTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    private static Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode status) => PresetTests.ReadAsync(response, status);

    private async Task<TestUser> OnPlanAsync(string plan)
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, plan);
        return user;
    }

    private static async Task<Guid> PublishAsync(TestUser admin, object body) =>
        (await ReadAsync(await admin.Client.PostAsJsonAsync("/api/v1/admin/presets", body), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    [Fact]
    public async Task A_shared_preset_is_seen_only_by_the_listed_plans_after_the_users_own()
    {
        var admin = await AdminKit.AdminAsync(server);
        var id = await PublishAsync(admin, new { name = "Pro portraits", settings = new { model = "sdxl-1.0", steps = 40 }, planIds = new[] { "pro" } });
        var pro = await OnPlanAsync("pro");
        var starter = await OnPlanAsync("starter");
        await ReadAsync(await pro.Client.PostAsJsonAsync("/api/v1/presets", new { name = "Zeta mine", settings = new { } }), HttpStatusCode.Created);

        var items = await PresetTests.ItemsAsync(pro);
        var shared = Assert.Single(items, p => p.GetProperty("id").GetGuid() == id);
        Assert.Equal(("Pro portraits", true, 40), (shared.GetProperty("name").GetString(), shared.GetProperty("shared").GetBoolean(), shared.GetProperty("settings").GetProperty("steps").GetInt32()));
        // Own first, even when its name sorts after.
        Assert.False(items[0].GetProperty("shared").GetBoolean());
        Assert.DoesNotContain(await PresetTests.ItemsAsync(starter), p => p.GetProperty("id").GetGuid() == id);

        // A user cannot change or delete it through their own routes.
        await ProblemAssert.ReadAsync(await pro.Client.PatchAsJsonAsync($"/api/v1/presets/{id}", new { name = "Mine now" }), HttpStatusCode.NotFound, "preset_not_found");
        await ProblemAssert.ReadAsync(await pro.Client.DeleteAsync($"/api/v1/presets/{id}"), HttpStatusCode.NotFound, "preset_not_found");

        // Widened to starter, starter sees it; deleted, nobody does.
        var updated = await ReadAsync(await admin.Client.PutAsJsonAsync($"/api/v1/admin/presets/{id}",
            new { name = "Portraits", settings = new { model = "sdxl-1.0", steps = 40 }, planIds = new[] { "starter", "pro" } }), HttpStatusCode.OK);
        Assert.Equal(["starter", "pro"], updated.GetProperty("planIds").EnumerateArray().Select(p => p.GetString()));
        Assert.Contains(await PresetTests.ItemsAsync(starter), p => p.GetProperty("id").GetGuid() == id);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.DeleteAsync($"/api/v1/admin/presets/{id}")).StatusCode);
        Assert.DoesNotContain(await PresetTests.ItemsAsync(pro), p => p.GetProperty("id").GetGuid() == id);
        await ProblemAssert.ReadAsync(await admin.Client.DeleteAsync($"/api/v1/admin/presets/{id}"), HttpStatusCode.NotFound, "preset_not_found");
        await ProblemAssert.ReadAsync(await admin.Client.PutAsJsonAsync($"/api/v1/admin/presets/{id}", new { name = "x", settings = new { }, planIds = new[] { "pro" } }),
            HttpStatusCode.NotFound, "preset_not_found");
    }

    [Fact]
    public async Task A_model_has_one_default_preset_and_a_user_gets_it_only_when_their_plan_sees_it()
    {
        var admin = await AdminKit.AdminAsync(server);
        var free = await OnPlanAsync("free");
        var starter = await OnPlanAsync("starter");
        await ProblemAssert.ReadAsync(await free.Client.GetAsync("/api/v1/presets/default?model=flux-dev"), HttpStatusCode.NotFound, "preset_not_found");

        var first = await PublishAsync(admin, new { name = "Flux fast", settings = new { steps = 20 }, planIds = new[] { "free", "starter" }, defaultForModel = "flux-dev" });
        var got = await ReadAsync(await free.Client.GetAsync("/api/v1/presets/default?model=flux-dev"), HttpStatusCode.OK);
        Assert.Equal((first, "flux-dev", 20), (got.GetProperty("id").GetGuid(), got.GetProperty("defaultForModel").GetString(), got.GetProperty("settings").GetProperty("steps").GetInt32()));
        await ProblemAssert.ReadAsync(await free.Client.GetAsync("/api/v1/presets/default?model=sd-1.5"), HttpStatusCode.NotFound, "preset_not_found");

        // A new default for the same model replaces the old one, which stays as a plain shared preset.
        var second = await PublishAsync(admin, new { name = "Flux fine", settings = new { model = "flux-dev", steps = 50 }, planIds = new[] { "starter" }, defaultForModel = "flux-dev" });
        var list = (await ReadAsync(await admin.Client.GetAsync("/api/v1/admin/presets"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([second], list.Where(p => p.GetProperty("defaultForModel").GetString() == "flux-dev").Select(p => p.GetProperty("id").GetGuid()));
        Assert.Equal(JsonValueKind.Null, list.Single(p => p.GetProperty("id").GetGuid() == first).GetProperty("defaultForModel").ValueKind);
        Assert.Equal(second, (await ReadAsync(await starter.Client.GetAsync("/api/v1/presets/default?model=flux-dev"), HttpStatusCode.OK)).GetProperty("id").GetGuid());

        // Free sees neither as the default now: the new one is not for its plan, the old one is no default.
        await ProblemAssert.ReadAsync(await free.Client.GetAsync("/api/v1/presets/default?model=flux-dev"), HttpStatusCode.NotFound, "preset_not_found");
        Assert.Contains(await PresetTests.ItemsAsync(free), p => p.GetProperty("id").GetGuid() == first);

        // Saving without defaultForModel clears it.
        await ReadAsync(await admin.Client.PutAsJsonAsync($"/api/v1/admin/presets/{second}", new { name = "Flux fine", settings = new { steps = 50 }, planIds = new[] { "starter" } }),
            HttpStatusCode.OK);
        await ProblemAssert.ReadAsync(await starter.Client.GetAsync("/api/v1/presets/default?model=flux-dev"), HttpStatusCode.NotFound, "preset_not_found");
        await ProblemAssert.ValidationAsync(await starter.Client.GetAsync("/api/v1/presets/default"), "model");
    }

    [Fact]
    public async Task Admin_saves_are_checked()
    {
        var admin = await AdminKit.AdminAsync(server);
        await ProblemAssert.ValidationAsync(await admin.Client.PostAsJsonAsync("/api/v1/admin/presets", new { name = "x", settings = new { }, planIds = new[] { "gold" } }), "planIds");
        await ProblemAssert.ValidationAsync(await admin.Client.PostAsJsonAsync("/api/v1/admin/presets", new { name = "x", settings = new { } }), "planIds");
        await ProblemAssert.ValidationAsync(await admin.Client.PostAsJsonAsync("/api/v1/admin/presets", new { name = "", settings = new { steps = 0 }, planIds = new[] { "pro" } }),
            "name", "settings.steps");
        await ProblemAssert.ValidationAsync(await admin.Client.PostAsJsonAsync("/api/v1/admin/presets", new { name = "x", settings = new { }, planIds = new[] { "pro" }, defaultForModel = "nope" }),
            "defaultForModel");
        await ProblemAssert.ValidationAsync(await admin.Client.PostAsJsonAsync("/api/v1/admin/presets",
            new { name = "x", settings = new { model = "sd-1.5" }, planIds = new[] { "pro" }, defaultForModel = "sdxl-1.0" }), "defaultForModel");
    }

    [Fact]
    public async Task Only_admins_manage_shared_presets_and_every_change_is_audited()
    {
        var admin = await AdminKit.AdminAsync(server);
        var user = await OnPlanAsync("pro");
        var id = await PublishAsync(admin, new { name = "Audited", settings = new { steps = 8 }, planIds = new[] { "pro" }, defaultForModel = "sd-1.5" });
        var replacing = await PublishAsync(admin, new { name = "Audited 2", settings = new { }, planIds = new[] { "pro" }, defaultForModel = "sd-1.5" });

        await ProblemAssert.ReadAsync(await user.Client.GetAsync("/api/v1/admin/presets"), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/admin/presets", new { name = "x", settings = new { }, planIds = new[] { "pro" } }), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.ReadAsync(await user.Client.PutAsJsonAsync($"/api/v1/admin/presets/{id}", new { name = "x", settings = new { }, planIds = new[] { "pro" } }), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.ReadAsync(await user.Client.DeleteAsync($"/api/v1/admin/presets/{id}"), HttpStatusCode.Forbidden, "forbidden");
        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/admin/presets")).StatusCode);

        await ReadAsync(await admin.Client.PutAsJsonAsync($"/api/v1/admin/presets/{id}", new { name = "Audited again", settings = new { steps = 9 }, planIds = new[] { "pro" } }), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.DeleteAsync($"/api/v1/admin/presets/{id}")).StatusCode);

        var entries = (await ReadAsync(await admin.Client.GetAsync("/api/v1/admin/audit?limit=100"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("targetType").GetString() == "shared_preset" && e.GetProperty("targetId").GetString() is { } t && (t == id.ToString() || t == replacing.ToString()))
            .ToList();
        var actions = entries.Where(e => e.GetProperty("targetId").GetString() == id.ToString()).Select(e => e.GetProperty("action").GetString()).ToList();
        // Created, its default taken by the second preset, renamed, deleted.
        Assert.Equal(["shared_preset.create", "shared_preset.update", "shared_preset.update", "shared_preset.delete"], actions.AsEnumerable().Reverse());
        Assert.Contains(entries, e => e.GetProperty("targetId").GetString() == replacing.ToString() && e.GetProperty("action").GetString() == "shared_preset.create");
        var renamed = entries.First(e => e.GetProperty("action").GetString() == "shared_preset.update" && e.GetProperty("targetId").GetString() == id.ToString());
        Assert.Contains("\"name\":\"Audited again\"", renamed.GetProperty("after").GetString());
        Assert.Contains("\"name\":\"Audited\"", renamed.GetProperty("before").GetString());
        Assert.Contains("\"settings\":{", renamed.GetProperty("after").GetString());
        var settings = JsonDocument.Parse(renamed.GetProperty("after").GetString()!).RootElement.GetProperty("settings");
        Assert.Equal("{\"steps\":9}", settings.GetRawText());
        Assert.All(entries, e => Assert.Equal(admin.Id, e.GetProperty("adminId").GetGuid()));
    }
}
