using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

using Pingvas.Server.Accounts;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.E2E.Tests.Browser;

/// <summary>
/// What the workflow, LoRA and add-on tests arrange before or check after their browser part: the
/// shared workflow fixtures, LoRAs uploaded through the API, an admin with two-step sign-in.
/// </summary>
public static class AdvancedKit
{
    /// <summary>A workflow fixture of tests/Shared/Workflows, as text.</summary>
    public static string Workflow(string file) => File.ReadAllText(Path.Combine(Screenshots.RepositoryRoot(), "tests", "Shared", "Workflows", file));

    /// <summary>The text-to-image fixture with its decode node turned into one that writes files: off the allow-list.</summary>
    public static string WorkflowWithForbiddenNode()
    {
        var document = JsonNode.Parse(Workflow("sd15-txt2img.workflow.json"))!;
        var decode = document["nodes"]!.AsArray().Single(n => (string?)n!["id"] == "decode")!;
        decode["data"]!["type"] = "save_image_to_file";
        document["name"] = "writes-files";
        return document.ToJsonString();
    }

    public static FilePayload JsonFile(string name, string text) => new() { Name = name, MimeType = "application/json", Buffer = System.Text.Encoding.UTF8.GetBytes(text) };

    /// <summary>Picks a workflow file in the library's (or the admin page's) upload, as the file dialog would.</summary>
    public static Task UploadWorkflowAsync(IPage page, string fileName, string text) =>
        page.Locator("input[type=file][accept*='.json']").SetInputFilesAsync(JsonFile(fileName, text));

    /// <summary>Uploads a LoRA file through the API (what the manager page does, without the page).</summary>
    public static async Task<JsonElement> UploadLoraAsync(HttpClient api, byte[] file, string fileName, string name)
    {
        using var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(content, "file", fileName);
        form.Add(new StringContent(name), "name");
        var response = await api.PostAsync("/api/v1/loras", form);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<JsonElement> GetAsync(HttpClient api, string path)
    {
        var response = await api.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>
    /// A new account with the admin role and two-step sign-in turned on through the API; the browser
    /// signs in with its password and the authenticator's code, as an operator would.
    /// </summary>
    public static async Task<HttpClient> SignInAsNewAdminAsync(UiPage ui)
    {
        var server = ui.Fixture.Server;
        var user = await server.RegisterAsync();
        await server.QueryAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.Role, Roles.Admin)));
        var enrolment = await (await user.Client.PostAsync("/api/v1/me/totp/enroll", null)).Content.ReadFromJsonAsync<JsonElement>();
        var secret = Totp.FromBase32(enrolment.GetProperty("secret").GetString()!);
        var step = Totp.StepAt(server.Time.GetUtcNow());
        var confirm = await user.Client.PostAsJsonAsync("/api/v1/me/totp/confirm", new { code = Totp.Code(secret, step) });
        Assert.True(confirm.IsSuccessStatusCode, await confirm.Content.ReadAsStringAsync());

        await ui.SignInAsync(user.Email, user.Password);
        // The next step's code: the one just used to confirm is not accepted twice (±1 step is).
        await ui.Page.GetByLabel("Authentication code").FillAsync(Totp.Code(secret, step + 1));
        await ui.Page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await ui.Page.WaitForURLAsync("**/generate");
        await ui.SettledAsync();
        return await ui.ApiAsync();
    }

    /// <summary>Waits for a job to end and returns its response as the API gives it.</summary>
    public static async Task<JsonElement> FinishedJobAsync(HttpClient api, Guid id)
    {
        JsonElement job = default;
        await Eventually.UntilAsync(async () =>
        {
            job = await GetAsync(api, $"/api/v1/generations/{id}");
            return job.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled";
        }, TimeSpan.FromSeconds(60), "The job did not end.");
        return job;
    }
}
