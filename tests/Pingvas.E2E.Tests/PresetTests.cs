using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.Playwright;

using Pingvas.E2E.Tests.Browser;

using static Microsoft.Playwright.Assertions;

namespace Pingvas.E2E.Tests;

/// <summary>
/// Presets on the Generate page: a user saves the settings, changes them and picks the preset to get
/// them back; an admin publishes a model's default preset, which a new user's form starts with. The
/// pages are captured at both widths in both languages.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PresetTests(BrowserFixture browser)
{
    [Fact]
    public async Task A_user_saves_a_preset_changes_the_settings_and_applies_it_back()
    {
        var name = $"Dusk {Guid.NewGuid().ToString("N")[..6]}";
        await using var ui = await browser.OpenAsync(Viewport.Desktop);
        var page = ui.Page;
        await ui.SignUpAsync();
        using var api = await ui.ApiAsync();

        await page.Locator("#steps").FillAsync("33");
        await page.Locator("#cfgScale").FillAsync("5.5");
        await page.Locator("#scheduler").SelectOptionAsync("ddim");
        await page.Locator("#negativePrompt").FillAsync("blurry, low contrast");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save as preset" }).ClickAsync();
        await page.Locator("#preset-name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(page.Locator(".preset-picker [role=status]")).ToHaveTextAsync($"Saved as “{name}”.");

        var saved = (await AdvancedKit.GetAsync(api, "/api/v1/presets")).GetProperty("items").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);
        var settings = saved.GetProperty("settings");
        Assert.Equal((33, 5.5, "ddim", "blurry, low contrast"), (settings.GetProperty("steps").GetInt32(), settings.GetProperty("cfgScale").GetDouble(),
            settings.GetProperty("scheduler").GetString(), settings.GetProperty("negativePrompt").GetString()));

        await page.Locator("#steps").FillAsync("12");
        await page.Locator("#cfgScale").FillAsync("9");
        await page.Locator("#scheduler").SelectOptionAsync("euler");
        await page.Locator("#negativePrompt").FillAsync("");
        await page.Locator("#preset").SelectOptionAsync(new SelectOptionValue { Label = name });
        await Expect(page.Locator("#steps")).ToHaveValueAsync("33");
        await Expect(page.Locator("#cfgScale")).ToHaveValueAsync("5.5");
        await Expect(page.Locator("#scheduler")).ToHaveValueAsync("ddim");
        await Expect(page.Locator("#negativePrompt")).ToHaveValueAsync("blurry, low contrast");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Rename" })).ToBeVisibleAsync();
        await ui.ScreenshotAsync("presets-picked");

        var catalog = (await browser.Server.RegisterAsync()).Client;
        var faults = new List<string>();
        foreach (var language in new[] { "en", "ko" })
        {
            await page.Locator("header").GetByRole(AriaRole.Combobox).First.SelectOptionAsync(language);
            await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", language);
            foreach (var viewport in new[] { Viewport.Desktop, Viewport.Phone })
            {
                await page.SetViewportSizeAsync(viewport.Width, viewport.Height);
                var shown = ui.As(viewport, language);
                await shown.GoAsync("/generate");
                await page.Locator("#preset").SelectOptionAsync(new SelectOptionValue { Label = name });
                await page.GetByRole(AriaRole.Button, new() { Name = language == "en" ? "Save as preset" : "프리셋으로 저장" }).ClickAsync();
                faults.AddRange(await PageChecks.CheckAsync(shown, "presets-generate", catalog, name, "blurry, low contrast", "Min-jun Kim"));
            }
        }

        await page.Locator("header").GetByRole(AriaRole.Combobox).First.SelectOptionAsync("en");
        Assert.True(faults.Count == 0, string.Join("\n", faults));
        ui.AssertNoErrors();
    }

    [Fact]
    public async Task An_admin_publishes_a_default_preset_for_a_model_and_a_new_users_form_starts_with_it()
    {
        var name = $"House style {Guid.NewGuid().ToString("N")[..6]}";
        await using var admin = await browser.OpenAsync(Viewport.Desktop);
        var page = admin.Page;
        using var adminApi = await AdvancedKit.SignInAsNewAdminAsync(admin);
        try
        {
            await admin.GoAsync("/admin");
            await page.Locator("main nav, main").GetByRole(AriaRole.Link, new() { Name = "Shared presets" }).First.ClickAsync();
            await page.WaitForURLAsync("**/admin/presets");
            await admin.SettledAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Shared presets", Level = 1 })).ToBeVisibleAsync();

            await page.Locator("#preset-name").FillAsync(name);
            await page.Locator("#preset-model").SelectOptionAsync("sd-1.5");
            await page.Locator("#preset-steps").FillAsync("18");
            await page.Locator("#preset-cfgScale").FillAsync("8");
            await page.Locator("#preset-scheduler").SelectOptionAsync("dpmpp_2m");
            await page.Locator("form.admin-preset-form fieldset.plan-checks").GetByLabel("Free", new() { Exact = true }).CheckAsync();
            await page.Locator("#preset-default").SelectOptionAsync("sd-1.5");
            await page.GetByRole(AriaRole.Button, new() { Name = "Publish preset" }).ClickAsync();
            var row = page.GetByTestId("shared-preset-row").Filter(new() { HasText = name });
            await Expect(row).ToHaveCountAsync(1);
            await Expect(row.GetByLabel("Free", new() { Exact = true })).ToBeCheckedAsync();

            var audit = await AdvancedKit.GetAsync(adminApi, "/api/v1/admin/audit");
            Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "shared_preset.create");

            // A new Free user opens Generate: the first model is Stable Diffusion 1.5, and its default applies.
            await using var user = await browser.OpenAsync(Viewport.Desktop);
            await user.SignUpAsync();
            await Expect(user.Page.Locator("#model")).ToHaveValueAsync("sd-1.5");
            await Expect(user.Page.Locator("#steps")).ToHaveValueAsync("18");
            await Expect(user.Page.Locator("#cfgScale")).ToHaveValueAsync("8");
            await Expect(user.Page.Locator("#scheduler")).ToHaveValueAsync("dpmpp_2m");
            await Expect(user.Page.Locator(".preset-picker [role=status]")).ToHaveTextAsync($"The default preset “{name}” for this model was applied.");
            await Expect(user.Page.Locator("#preset")).ToHaveValueAsync(await PresetIdAsync(adminApi, name));

            var catalog = (await browser.Server.RegisterAsync()).Client;
            var faults = new List<string>();
            foreach (var language in new[] { "en", "ko" })
            {
                foreach (var (ui, path, shot) in new[] { (admin, "/admin/presets", "admin-presets"), (user, "/generate", "presets-default") })
                {
                    await ui.Page.Locator("header").GetByRole(AriaRole.Combobox).First.SelectOptionAsync(language);
                    await Expect(ui.Page.Locator("html")).ToHaveAttributeAsync("lang", language);
                    foreach (var viewport in new[] { Viewport.Desktop, Viewport.Phone })
                    {
                        await ui.Page.SetViewportSizeAsync(viewport.Width, viewport.Height);
                        faults.AddRange(await PageChecks.VisitAsync(ui.As(viewport, language), shot, path, catalog, name, "Min-jun Kim", "Test User"));
                    }
                }
            }

            await admin.Page.Locator("header").GetByRole(AriaRole.Combobox).First.SelectOptionAsync("en");
            Assert.True(faults.Count == 0, string.Join("\n", faults));
            admin.AssertNoErrors();
            user.AssertNoErrors();
        }
        finally
        {
            // The browser tests share one server: a default preset left behind would change every later Generate form.
            var id = await PresetIdAsync(adminApi, name);
            if (id.Length > 0)
            {
                Assert.True((await adminApi.DeleteAsync($"/api/v1/admin/presets/{id}")).IsSuccessStatusCode);
            }
        }
    }

    private static async Task<string> PresetIdAsync(HttpClient adminApi, string name)
    {
        var list = await adminApi.GetFromJsonAsync<JsonElement>("/api/v1/admin/presets");
        return list.GetProperty("items").EnumerateArray().Where(p => p.GetProperty("name").GetString() == name).Select(p => p.GetProperty("id").GetString()!).FirstOrDefault() ?? "";
    }
}
