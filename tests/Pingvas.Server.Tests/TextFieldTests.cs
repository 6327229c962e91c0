using System.Net;
using System.Net.Http.Json;
using System.Text;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// Control characters and unpaired surrogates in any free-text field of a JSON body are a 400
/// validation_failed naming the field, checked once for the whole API; nothing is queued,
/// reserved or created. (A NUL in a prompt used to render on SQLite and fail with 500 on PostgreSQL.)
/// </summary>
public sealed class TextFieldTests : IAsyncLifetime
{
    private PingvasServer server = null!;
    private HttpClient anonymous = null!;

    public async Task InitializeAsync()
    {
        server = await PingvasServer.StartAsync();
        anonymous = server.CreateClient();
    }

    public async Task DisposeAsync()
    {
        anonymous.Dispose();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task A_nul_in_the_prompt_is_refused_naming_prompt_and_queues_nothing()
    {
        var user = await server.RegisterAsync();
        var ledgerBefore = await user.LedgerAsync();

        var response = await user.Client.PostAsJsonAsync("/api/v1/generations", TestUser.Request(prompt: "a lighthouse\0 at dusk"));

        var problem = await ProblemAssert.ValidationAsync(response, "prompt");
        Assert.Contains("control character", problem.Errors!["prompt"][0]);
        await AssertNothingHappenedAsync(user, ledgerBefore);
    }

    [Theory]
    [InlineData("""{"prompt": "a\ud800b", "model": "sd-1.5", "width": 64, "height": 64, "steps": 4}""", "prompt")]
    [InlineData("""{"prompt": "ok", "negativePrompt": "\udc00", "model": "sd-1.5", "width": 64, "height": 64, "steps": 4}""", "negativePrompt")]
    [InlineData("""{"prompt": "ok", "negativePrompt": "blur\u007f", "model": "sd-1.5", "width": 64, "height": 64, "steps": 4}""", "negativePrompt")]
    [InlineData("""{"prompt": "next line \u0085", "model": "sd-1.5", "width": 64, "height": 64, "steps": 4}""", "prompt")]
    [InlineData("""{"prompt": "escape \u001b[31m", "model": "sd-1.5", "width": 64, "height": 64, "steps": 4}""", "prompt")]
    [InlineData("""{"prompt": "ok", "model": "sd-1.5\u0000", "width": 64, "height": 64, "steps": 4}""", "model")]
    public async Task Lone_surrogates_and_control_characters_are_refused_naming_the_field(string json, string field)
    {
        var user = await server.RegisterAsync();
        var ledgerBefore = await user.LedgerAsync();

        var response = await user.Client.PostAsync("/api/v1/generations", ProblemAssert.Raw(json));

        await ProblemAssert.ValidationAsync(response, field);
        await AssertNothingHappenedAsync(user, ledgerBefore);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_prompt_is_refused_naming_prompt()
    {
        var user = await server.RegisterAsync();
        var bytes = Encoding.UTF8.GetBytes("""{"prompt": "a?b", "model": "sd-1.5", "width": 64, "height": 64, "steps": 4}""");
        var at = Array.IndexOf(bytes, (byte)'?');
        byte[] surrogateAsUtf8 = [0xED, 0xA0, 0x80];
        byte[] body = [.. bytes[..at], .. surrogateAsUtf8, .. bytes[(at + 1)..]];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };

        await ProblemAssert.ValidationAsync(await user.Client.PostAsync("/api/v1/generations", content), "prompt");
        Assert.Equal(0, await server.QueryDbAsync(db => db.Jobs.CountAsync(j => j.UserId == user.Id)));
    }

    [Fact]
    public async Task Tabs_line_breaks_korean_and_emoji_are_ordinary_text()
    {
        var user = await server.RegisterAsync();
        var job = await user.SubmitAsync(TestUser.Request(prompt: "해질녘의 등대\tat dusk\r\nin oil \U0001F3A8"));
        Assert.Equal("해질녘의 등대\tat dusk\r\nin oil \U0001F3A8", (await user.GetAsync(job.Id)).Prompt);
    }

    [Fact]
    public async Task A_control_character_in_a_name_is_refused_at_registration_and_creates_no_account()
    {
        var email = $"user-{Guid.NewGuid():N}@example.com";
        var response = await anonymous.PostAsJsonAsync("/api/v1/auth/register", new { email, password = "correct horse battery", name = "Ada\u0007 Lovelace" });

        await ProblemAssert.ValidationAsync(response, "name");
        Assert.False(await server.QueryDbAsync(db => db.Users.AnyAsync(u => u.Email == email)));

        var surrogate = await anonymous.PostAsync("/api/v1/auth/register",
            ProblemAssert.Raw($$"""{"email": "{{email}}", "password": "correct horse battery", "name": "\ud800"}"""));
        await ProblemAssert.ValidationAsync(surrogate, "name");
        Assert.False(await server.QueryDbAsync(db => db.Users.AnyAsync(u => u.Email == email)));
    }

    [Fact]
    public async Task Every_string_of_a_body_is_checked_also_on_sign_in_and_refresh()
    {
        await ProblemAssert.ValidationAsync(
            await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = "a\u0000@example.com", password = "whatever it is" }), "email");
        await ProblemAssert.ValidationAsync(
            await anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = "\u0001" }), "refreshToken");
    }

    [Fact]
    public async Task A_password_is_not_free_text_and_may_hold_any_character()
    {
        // Passwords are hashed, never shown: refusing characters would only lock out their owners.
        var user = await server.RegisterAsync(password: "bell\u0007 and nul\u0000 in a password");
        var login = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = user.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    private async Task AssertNothingHappenedAsync(TestUser user, List<LedgerEntryBody> ledgerBefore)
    {
        Assert.Equal(0, await server.QueryDbAsync(db => db.Jobs.CountAsync(j => j.UserId == user.Id)));
        Assert.Equal(ledgerBefore, await user.LedgerAsync());
        var me = await user.MeAsync();
        Assert.Equal((100, 0), (me.Credits.Balance, me.Credits.Reserved));
    }
}
