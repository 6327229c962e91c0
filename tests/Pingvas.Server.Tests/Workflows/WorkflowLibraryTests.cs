using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Pingvas.Server.Tests.Admin;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Workflows;

/// <summary>Saved workflows (per user) and shared ones (per plan, admin-managed) through the API.</summary>
public sealed class WorkflowLibraryTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    private static async Task<JsonElement> CreatedAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }

    [Fact]
    public async Task A_saved_workflow_is_created_listed_read_updated_run_and_deleted()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");
        var created = await CreatedAsync(await user.Client.PostAsJsonAsync("/api/v1/workflows", new { name = "Lighthouse", description = "t2i", workflow = WorkflowKit.Txt2Img() }));
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal((6, "workflow", false), (created.GetProperty("nodeCount").GetInt32(), created.GetProperty("format").GetString(), created.GetProperty("shared").GetBoolean()));
        var exposed = created.GetProperty("exposedFields").EnumerateArray().Select(f => (f.GetProperty("nodeId").GetString(), f.GetProperty("field").GetString(), f.GetProperty("type").GetString())).ToList();
        Assert.Equal([("positive", "prompt", "string"), ("noise", "seed", "integer")], exposed);

        var list = await (await user.Client.GetAsync("/api/v1/workflows")).JsonAsync();
        Assert.Contains(list.GetProperty("items").EnumerateArray(), w => w.GetProperty("id").GetGuid() == id);

        var updated = await user.Client.PutAsJsonAsync($"/api/v1/workflows/{id}", new { name = "Graph", graph = WorkflowKit.Fixture("sd15-txt2img.graph.json") });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var detail = await (await user.Client.GetAsync($"/api/v1/workflows/{id}")).JsonAsync();
        Assert.Equal(("Graph", "graph", "t2i"), (detail.GetProperty("name").GetString(), detail.GetProperty("format").GetString(), detail.GetProperty("description").GetString()));
        Assert.True(detail.GetProperty("document").TryGetProperty("graph", out _));

        var done = await user.WaitForAsync((await user.SubmitAsync(new { kind = "workflow", workflowId = id })).Id);
        Assert.Equal(("succeeded", 128, 96), (done.Status, done.Width, done.Height));
        var raw = await (await user.Client.GetAsync($"/api/v1/generations/{done.Id}")).JsonAsync();
        Assert.Equal(id, raw.GetProperty("workflowId").GetGuid());

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/workflows/{id}")).StatusCode);
        await ProblemAssert.ReadAsync(await user.Client.GetAsync($"/api/v1/workflows/{id}"), HttpStatusCode.NotFound, "workflow_not_found");
    }

    [Fact]
    public async Task Saving_checks_the_document()
    {
        var user = await server.RegisterAsync();
        var bad = WorkflowKit.Txt2Img(w => WorkflowKit.Data(w, "decode")["type"] = "save_image_to_file");
        await ProblemAssert.ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/workflows", new { name = "x", workflow = bad }), HttpStatusCode.BadRequest, "workflow_node_forbidden");
        await ProblemAssert.ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/workflows", new { name = "x", graph = new { nodes = 1 } }), HttpStatusCode.BadRequest, "invalid_workflow");
        await ProblemAssert.ValidationAsync(await user.Client.PostAsJsonAsync("/api/v1/workflows", new { name = " ", workflow = WorkflowKit.Txt2Img() }), "name");
        await ProblemAssert.ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/workflows", new { name = "x", workflow = WorkflowKit.Txt2Img(), thumbnailImageId = Guid.NewGuid() }),
            HttpStatusCode.BadRequest, "invalid_image_reference");
    }

    [Fact]
    public async Task Another_users_saved_workflow_is_not_found_on_every_route_and_on_submit()
    {
        var owner = await server.RegisterAsync();
        var other = await server.RegisterAsync();
        await server.SetPlanAsync(other.Id, "starter");
        var id = (await CreatedAsync(await owner.Client.PostAsJsonAsync("/api/v1/workflows", new { name = "Mine", workflow = WorkflowKit.Txt2Img() }))).GetProperty("id").GetGuid();
        var state = await server.StateAsync(other);

        await ProblemAssert.ReadAsync(await other.Client.GetAsync($"/api/v1/workflows/{id}"), HttpStatusCode.NotFound, "workflow_not_found");
        await ProblemAssert.ReadAsync(await other.Client.PutAsJsonAsync($"/api/v1/workflows/{id}", new { name = "Theirs" }), HttpStatusCode.NotFound, "workflow_not_found");
        await ProblemAssert.ReadAsync(await other.Client.DeleteAsync($"/api/v1/workflows/{id}"), HttpStatusCode.NotFound, "workflow_not_found");
        await ProblemAssert.ReadAsync(await other.RunAsync(new { kind = "workflow", workflowId = id }), HttpStatusCode.NotFound, "workflow_not_found");
        Assert.DoesNotContain((await (await other.Client.GetAsync("/api/v1/workflows")).JsonAsync()).GetProperty("items").EnumerateArray(), w => w.GetProperty("id").GetGuid() == id);
        Assert.Equal(state, await server.StateAsync(other));

        // Still the owner's, unchanged.
        Assert.Equal("Mine", (await (await owner.Client.GetAsync($"/api/v1/workflows/{id}")).JsonAsync()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_shared_workflow_is_seen_and_run_only_by_the_listed_plans_and_only_admins_manage_it()
    {
        var admin = await AdminKit.AdminAsync(server);
        var created = await CreatedAsync(await admin.Client.PostAsJsonAsync("/api/v1/admin/workflows",
            new { name = "Shared lighthouse", workflow = WorkflowKit.Txt2Img(), plans = new[] { "pro" } }));
        var id = created.GetProperty("workflow").GetProperty("id").GetGuid();

        var pro = await server.RegisterAsync();
        await server.SetPlanAsync(pro.Id, "pro");
        var starter = await server.RegisterAsync();
        await server.SetPlanAsync(starter.Id, "starter");

        var seen = (await (await pro.Client.GetAsync("/api/v1/workflows")).JsonAsync()).GetProperty("items").EnumerateArray().Single(w => w.GetProperty("id").GetGuid() == id);
        Assert.True(seen.GetProperty("shared").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await pro.Client.GetAsync($"/api/v1/workflows/{id}")).StatusCode);
        Assert.Equal("succeeded", (await pro.WaitForAsync((await pro.SubmitAsync(new { kind = "workflow", workflowId = id })).Id)).Status);

        Assert.DoesNotContain((await (await starter.Client.GetAsync("/api/v1/workflows")).JsonAsync()).GetProperty("items").EnumerateArray(), w => w.GetProperty("id").GetGuid() == id);
        await ProblemAssert.ReadAsync(await starter.Client.GetAsync($"/api/v1/workflows/{id}"), HttpStatusCode.NotFound, "workflow_not_found");
        await ProblemAssert.ReadAsync(await starter.RunAsync(new { kind = "workflow", workflowId = id }), HttpStatusCode.NotFound, "workflow_not_found");

        // A user can neither change it through their own routes nor reach the admin ones.
        await ProblemAssert.ReadAsync(await pro.Client.DeleteAsync($"/api/v1/workflows/{id}"), HttpStatusCode.NotFound, "workflow_not_found");
        await ProblemAssert.ReadAsync(await pro.Client.GetAsync("/api/v1/admin/workflows"), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.ReadAsync(await pro.Client.PostAsJsonAsync("/api/v1/admin/workflows", new { name = "x", workflow = WorkflowKit.Txt2Img(), plans = new[] { "pro" } }), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.ReadAsync(await pro.Client.PutAsJsonAsync($"/api/v1/admin/workflows/{id}", new { plans = new[] { "starter" } }), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.ReadAsync(await pro.Client.DeleteAsync($"/api/v1/admin/workflows/{id}"), HttpStatusCode.Forbidden, "forbidden");

        // The admin widens it to starter, which then sees it; every change is in the audit log.
        Assert.Equal(HttpStatusCode.OK, (await admin.Client.PutAsJsonAsync($"/api/v1/admin/workflows/{id}", new { plans = new[] { "starter", "pro" } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await starter.Client.GetAsync($"/api/v1/workflows/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.DeleteAsync($"/api/v1/admin/workflows/{id}")).StatusCode);
        await ProblemAssert.ReadAsync(await starter.Client.GetAsync($"/api/v1/workflows/{id}"), HttpStatusCode.NotFound, "workflow_not_found");
        var audit = await (await admin.Client.GetAsync("/api/v1/admin/audit?limit=100")).Content.ReadAsStringAsync();
        foreach (var action in new[] { "shared_workflow.create", "shared_workflow.update", "shared_workflow.delete" })
        {
            Assert.Contains(action, audit);
        }
    }
}
