using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

/// <summary>
/// An admin (two-step sign-in) shares a workflow with the Pro plan: a Pro user finds it in the library
/// with the shared badge and can run it but not delete it; a Starter user does not see it until the
/// admin adds Starter to its plans. The admin page is captured at both widths in both languages.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SharedWorkflowTests(BrowserFixture browser)
{
    [Fact]
    public async Task An_admin_shares_a_workflow_with_pro_and_only_pro_users_see_it_until_starter_is_added()
    {
        var name = $"Harbour at night {Guid.NewGuid().ToString("N")[..6]}";
        await using var admin = await browser.OpenAsync(Viewport.Desktop);
        var page = admin.Page;
        using var adminApi = await AdvancedKit.SignInAsNewAdminAsync(admin);
        await admin.GoAsync("/admin");
        await page.Locator("main nav, main").GetByRole(AriaRole.Link, new() { Name = "Shared workflows" }).First.ClickAsync();
        await page.WaitForURLAsync("**/admin/workflows");
        await admin.SettledAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Shared workflows", Level = 1 })).ToBeVisibleAsync();

        var newPlans = page.Locator("fieldset.plan-checks").First;
        await newPlans.GetByLabel("Pro", new() { Exact = true }).CheckAsync();
        await AdvancedKit.UploadWorkflowAsync(page, "sd15-txt2img.workflow.json", AdvancedKit.Workflow("sd15-txt2img.workflow.json"));
        await page.Locator("#workflow-name").FillAsync(name);
        // The admin's upload saves for the plans; it has no run of its own.
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Run once" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save workflow" }).ClickAsync();
        var row = page.GetByTestId("shared-workflow-row").Filter(new() { HasText = name });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.GetByLabel("Pro", new() { Exact = true })).ToBeCheckedAsync();
        await Expect(row.GetByLabel("Starter", new() { Exact = true })).Not.ToBeCheckedAsync();

        var shared = (await AdvancedKit.GetAsync(adminApi, "/api/v1/admin/workflows")).GetProperty("items").EnumerateArray()
            .Single(w => w.GetProperty("workflow").GetProperty("name").GetString() == name);
        Assert.Equal(["pro"], shared.GetProperty("plans").EnumerateArray().Select(p => p.GetString()));
        var audit = await AdvancedKit.GetAsync(adminApi, "/api/v1/admin/audit");
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString()!.Contains("workflow", StringComparison.OrdinalIgnoreCase));

        await using var pro = await browser.OpenAsync(Viewport.Desktop);
        using var proApi = await pro.SignUpOnPlanAsync("pro");
        await pro.GoAsync("/workflows");
        var proCard = pro.Page.GetByTestId("workflow-card").Filter(new() { HasText = name });
        await Expect(proCard).ToHaveAttributeAsync("data-shared", "true");
        await Expect(proCard.Locator(".badge")).ToHaveTextAsync("Shared");
        // Shared is read-only for users: no delete.
        await Expect(proCard.GetByRole(AriaRole.Button, new() { Name = $"Delete {name}" })).ToHaveCountAsync(0);
        await proCard.GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
        await pro.SettledAsync();
        await pro.Page.Locator("button.generate-button").ClickAsync();
        await Expect(pro.Page.GetByTestId("job-card").First.Locator(".status-succeeded")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(pro.Page.GetByRole(AriaRole.Button, new() { Name = "Use as thumbnail" })).ToHaveCountAsync(0);

        await using var starter = await browser.OpenAsync(Viewport.Desktop);
        using var starterApi = await starter.SignUpOnPlanAsync("starter");
        await starter.GoAsync("/workflows");
        await Expect(starter.Page.GetByText("No workflows yet: upload one.")).ToBeVisibleAsync();
        await Expect(starter.Page.GetByTestId("workflow-card").Filter(new() { HasText = name })).ToHaveCountAsync(0);
        Assert.DoesNotContain((await AdvancedKit.GetAsync(starterApi, "/api/v1/workflows")).GetProperty("items").EnumerateArray(),
            w => w.GetProperty("name").GetString() == name);

        // The admin adds Starter: the Starter user's library has it on the next visit.
        await row.GetByLabel("Starter", new() { Exact = true }).CheckAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Save plans" }).ClickAsync();
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Save plans" })).ToBeDisabledAsync();
        await starter.GoAsync("/workflows");
        await Expect(starter.Page.GetByTestId("workflow-card").Filter(new() { HasText = name })).ToHaveAttributeAsync("data-shared", "true");
        await admin.ScreenshotAsync("admin-workflows");
        await TourAsync(admin, name);

        admin.AssertNoErrors();
        pro.AssertNoErrors();
        starter.AssertNoErrors();
    }

    private async Task TourAsync(UiPage admin, string name)
    {
        var catalog = (await browser.Server.RegisterAsync()).Client;
        var faults = new List<string>();
        foreach (var language in new[] { "en", "ko" })
        {
            await admin.Page.Locator("header").GetByRole(AriaRole.Combobox).First.SelectOptionAsync(language);
            await Expect(admin.Page.Locator("html")).ToHaveAttributeAsync("lang", language);
            foreach (var viewport in new[] { Viewport.Desktop, Viewport.Phone })
            {
                await admin.Page.SetViewportSizeAsync(viewport.Width, viewport.Height);
                faults.AddRange(await PageChecks.VisitAsync(admin.As(viewport, language), "admin-workflows", "/admin/workflows", catalog, name, "Min-jun Kim", "Test User"));
            }
        }

        await admin.Page.Locator("header").GetByRole(AriaRole.Combobox).First.SelectOptionAsync("en");
        Assert.True(faults.Count == 0, string.Join("\n", faults));
    }
}
