using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Admin;

/// <summary>The admin's user list, plan changes and credit adjustments, each with its audit row.</summary>
public sealed class AdminUsersTests
{
    [Fact]
    public async Task The_list_searches_by_email_or_name_filters_by_plan_and_pages_newest_first()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings());
        var admin = await AdminKit.AdminAsync(server);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var users = new List<TestUser>();
        for (var i = 0; i < 5; i++)
        {
            users.Add(await server.RegisterAsync($"findme-{tag}-{i}@example.com"));
        }

        await server.SetPlanAsync(users[1].Id, "pro");

        var found = await ApiChecks.AllAsync<AdminUserBody>(admin.Client, $"/api/v1/admin/users?q=FINDME-{tag}", limit: 2);
        Assert.Equal(users.Select(u => u.Id).Reverse(), found.Select(u => u.Id));
        var first = found.Single(u => u.Id == users[0].Id);
        Assert.Equal(("free", 100, 0, false, false, "user"), (first.Plan, first.Balance, first.Reserved, first.Suspended, first.Unlimited, first.Role));

        var pro = await ApiChecks.AllAsync<AdminUserBody>(admin.Client, $"/api/v1/admin/users?q={tag}&plan=pro");
        Assert.Equal([users[1].Id], pro.Select(u => u.Id));

        // Names are searched too, whatever their case.
        var byName = await ApiChecks.AllAsync<AdminUserBody>(admin.Client, "/api/v1/admin/users?q=test%20USER");
        Assert.True(byName.Count >= 6);

        await ProblemAssert.ValidationAsync(await admin.Client.GetAsync("/api/v1/admin/users?limit=0"), "limit");
        await ProblemAssert.ReadAsync(await admin.Client.GetAsync($"/api/v1/admin/users/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task A_plan_change_starts_a_new_period_with_the_new_plans_credits_and_is_audited()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings());
        var admin = await AdminKit.AdminAsync(server);
        var user = await server.RegisterAsync();
        admin.Client.DefaultRequestHeaders.UserAgent.ParseAdd("pingvas-admin-test/1.0");

        var changed = await admin.Client.PatchAsJsonAsync($"/api/v1/admin/users/{user.Id}", new { plan = "pro" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var body = (await changed.Content.ReadFromJsonAsync<AdminUserBody>(Json.Options))!;
        Assert.Equal(("pro", 15_000), (body.Plan, body.Balance));

        var me = await user.MeAsync();
        Assert.Equal(("pro", 15_000, false), (me.Plan.Id, me.Credits.Balance, me.Credits.Unlimited));
        var ledger = await user.LedgerAsync();
        Assert.Equal(["grant:15000", "expire:-100", "grant:100"], ledger.Select(e => $"{e.Kind}:{e.Amount}"));
        Assert.Equal(ledger.Sum(e => e.Amount), me.Credits.Balance);

        // Enterprise contracts are assigned by hand: unlimited, no monthly grant.
        var enterprise = (await (await admin.Client.PatchAsJsonAsync($"/api/v1/admin/users/{user.Id}", new { plan = "enterprise" }))
            .Content.ReadFromJsonAsync<AdminUserBody>(Json.Options))!;
        Assert.Equal(("enterprise", true, 0), (enterprise.Plan, enterprise.Unlimited, enterprise.Balance));
        Assert.True((await user.MeAsync()).Credits.Unlimited);

        await ProblemAssert.ValidationAsync(await admin.Client.PatchAsJsonAsync($"/api/v1/admin/users/{user.Id}", new { plan = "platinum" }), "plan");
        await ProblemAssert.ValidationAsync(await admin.Client.PatchAsJsonAsync($"/api/v1/admin/users/{user.Id}", new { }), "body");
        await ProblemAssert.ReadAsync(await admin.Client.PatchAsJsonAsync($"/api/v1/admin/users/{Guid.NewGuid()}", new { plan = "pro" }), HttpStatusCode.NotFound, "not_found");

        var audit = await ApiChecks.AllAsync<AuditBody>(admin.Client, "/api/v1/admin/audit");
        Assert.Equal(2, audit.Count);
        var latest = audit[0];
        Assert.Equal(("user.update", "user", user.Id.ToString(), admin.Id, admin.Email), (latest.Action, latest.TargetType, latest.TargetId, latest.AdminId, latest.AdminEmail));
        Assert.Equal("pro", (string?)JsonNode.Parse(latest.Before!)!["plan"]);
        Assert.Equal("enterprise", (string?)JsonNode.Parse(latest.After!)!["plan"]);
        Assert.Equal("127.0.0.1", latest.ClientAddress);
        Assert.Equal("pingvas-admin-test/1.0", latest.UserAgent);
        Assert.Equal("free", (string?)JsonNode.Parse(audit[1].Before!)!["plan"]);
    }

    [Fact]
    public async Task Credit_adjustments_go_through_the_ledger_once_per_key_and_never_take_reserved_credits()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings { StepDelayMs = 500 });
        var admin = await AdminKit.AdminAsync(server);
        var user = await server.RegisterAsync();

        var grant = await AdjustAsync(admin, user, new { amount = 250, reason = "goodwill" }, "key-1");
        Assert.Equal(HttpStatusCode.OK, grant.StatusCode);
        var granted = (await grant.Content.ReadFromJsonAsync<CreditAdjustmentBody>(Json.Options))!;
        Assert.Equal((250, 350, false, 350), (granted.Amount, granted.BalanceAfter, granted.Replayed, granted.User.Balance));

        // The same key again: the first result, nothing moved, no second audit row.
        var replay = (await (await AdjustAsync(admin, user, new { amount = 250, reason = "goodwill" }, "key-1")).Content.ReadFromJsonAsync<CreditAdjustmentBody>(Json.Options))!;
        Assert.Equal((granted.EntryId, true, 350), (replay.EntryId, replay.Replayed, replay.User.Balance));
        await ProblemAssert.ReadAsync(await AdjustAsync(admin, user, new { amount = 5, reason = "other" }, "key-1"), HttpStatusCode.Conflict, "idempotency_key_reused");

        // A running job holds its estimate: a negative adjustment reaches the spendable balance only.
        var job = await user.SubmitAsync(TestUser.Request(steps: 40));
        var me = await user.MeAsync();
        Assert.True(me.Credits.Reserved > 0);
        await ProblemAssert.ReadAsync(
            await AdjustAsync(admin, user, new { amount = -(me.Credits.Balance + 1), reason = "too much" }, "key-2"), HttpStatusCode.Conflict, "adjustment_exceeds_balance");
        var taken = await AdjustAsync(admin, user, new { amount = -me.Credits.Balance, reason = "chargeback" }, "key-3");
        Assert.Equal(HttpStatusCode.OK, taken.StatusCode);
        var after = await user.MeAsync();
        Assert.Equal((0, me.Credits.Reserved), (after.Credits.Balance, after.Credits.Reserved));

        await ProblemAssert.ValidationAsync(await AdjustAsync(admin, user, new { amount = 0, reason = "" }, "key-4"), "amount", "reason");
        await ProblemAssert.ValidationAsync(await AdjustAsync(admin, user, new { amount = -5, reason = "x", expiresAt = DateTime.UtcNow.AddDays(1) }, "key-5"), "expiresAt");
        await ProblemAssert.ReadAsync(await AdjustAsync(admin, new TestUser(server, Guid.NewGuid(), "", "", "", ""), new { amount = 5, reason = "x" }, "key-6"),
            HttpStatusCode.NotFound, "not_found");

        await user.Client.PostAsync($"/api/v1/generations/{job.Id}/cancel", null);
        await user.WaitForAsync(job.Id);
        var ledger = await user.LedgerAsync();
        Assert.Equal(2, ledger.Count(e => e.Kind == "adjust"));
        Assert.Equal(ledger.Sum(e => e.Amount), (await user.MeAsync()).Credits.Balance);
        var audit = await ApiChecks.AllAsync<AuditBody>(admin.Client, "/api/v1/admin/audit");
        Assert.Equal(["user.credits", "user.credits"], audit.Select(a => a.Action));
        Assert.Equal(350, (int)JsonNode.Parse(audit[1].After!)!["balance"]!);
        Assert.Equal("goodwill", (string?)JsonNode.Parse(audit[1].After!)!["reason"]);
    }

    [Fact]
    public async Task A_deleted_account_is_not_listed_counted_shown_or_changed()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings());
        var admin = await AdminKit.AdminAsync(server);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var kept = await server.RegisterAsync($"kept-{tag}@example.com");
        var gone = await server.RegisterAsync($"gone-{tag}@example.com");
        var deleted = await gone.Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/v1/me") { Content = JsonContent.Create(new { password = gone.Password }) });
        Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync());

        var listed = await ApiChecks.AllAsync<AdminUserBody>(admin.Client, "/api/v1/admin/users");
        Assert.Contains(listed, u => u.Id == kept.Id);
        Assert.DoesNotContain(listed, u => u.Id == gone.Id || u.Email.EndsWith("@deleted.invalid", StringComparison.Ordinal));
        var stats = (await admin.Client.GetFromJsonAsync<JsonObject>("/api/v1/admin/stats", Json.Options))!;
        Assert.Equal(2, (int)stats["totalUsers"]!);

        // The tombstone stays for its ledger, but it is no account to show, re-plan or credit.
        await ProblemAssert.ReadAsync(await admin.Client.GetAsync($"/api/v1/admin/users/{gone.Id}"), HttpStatusCode.NotFound, "not_found");
        await ProblemAssert.ReadAsync(await admin.Client.PatchAsJsonAsync($"/api/v1/admin/users/{gone.Id}", new { plan = "pro" }), HttpStatusCode.NotFound, "not_found");
        await ProblemAssert.ReadAsync(await AdjustAsync(admin, gone, new { amount = 100, reason = "goodwill" }, "k1"), HttpStatusCode.NotFound, "not_found");
        Assert.Equal("free", await server.QueryAsync(db => db.Users.Where(u => u.Id == gone.Id).Select(u => u.PlanId).SingleAsync()));
        Assert.DoesNotContain(await server.QueryAsync(db => db.Ledger.Where(e => e.UserId == gone.Id).Select(e => e.Reason).ToListAsync()), r => r == "goodwill");
    }

    private static Task<HttpResponseMessage> AdjustAsync(TestUser admin, TestUser user, object body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/admin/users/{user.Id}/credits") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return admin.Client.SendAsync(request);
    }
}
