using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Email;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Notices;

public sealed record NotificationSettingsBody(int? BatchFinishedMin, bool JobFailed);

/// <summary>A real SMTP server and a server that mails through it, with the scripted engine (prompts starting <c>fail:</c> fail).</summary>
public sealed class CompletionNoticeFixture : IAsyncLifetime
{
    public SmtpServer Smtp { get; private set; } = null!;

    public PingvasServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Smtp = await SmtpServer.StartAsync();
        Server = await PingvasServer.StartAsync(new TestSettings { StepDelayMs = 20 }.With(Smtp.AppSettings()), configureServices: ScriptedEngine.Install);
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (Smtp is not null)
        {
            await Smtp.DisposeAsync();
        }
    }
}

/// <summary><c>/me/notifications</c> and the opt-in completion emails: a big batch done, a failure; never a cancel.</summary>
public sealed class CompletionNoticeTests(CompletionNoticeFixture fixture) : IClassFixture<CompletionNoticeFixture>
{
    private const string Path = "/api/v1/me/notifications";

    private PingvasServer Server => fixture.Server;

    private SmtpServer Smtp => fixture.Smtp;

    [Fact]
    public async Task Settings_round_trip_are_validated_and_private()
    {
        var user = await Server.RegisterAsync();
        var other = await Server.RegisterAsync();
        Assert.Equal(new NotificationSettingsBody(null, false), await GetAsync(user));

        Assert.Equal(new NotificationSettingsBody(5, true), await PutAsync(user, new { batchFinishedMin = 5, jobFailed = true }));
        Assert.Equal(new NotificationSettingsBody(5, true), await GetAsync(user));
        Assert.Equal(new NotificationSettingsBody(null, true), await PutAsync(user, new { batchFinishedMin = (int?)null, jobFailed = true }));
        Assert.Equal(new NotificationSettingsBody(100, false), await PutAsync(user, new { batchFinishedMin = 100, jobFailed = false }));
        Assert.Equal(new NotificationSettingsBody(2, false), await PutAsync(user, new { batchFinishedMin = 2, jobFailed = false }));

        // Out of range, missing or mistyped: a validation problem, and nothing changed.
        await ProblemAssert.ValidationAsync(await user.Client.PutAsJsonAsync(Path, new { batchFinishedMin = 1, jobFailed = true }), "batchFinishedMin");
        await ProblemAssert.ValidationAsync(await user.Client.PutAsJsonAsync(Path, new { batchFinishedMin = 101, jobFailed = true }), "batchFinishedMin");
        await ProblemAssert.ValidationAsync(await user.Client.PutAsJsonAsync(Path, new { batchFinishedMin = 4 }), "jobFailed");
        var mistyped = await user.Client.PutAsync(Path, ProblemAssert.Raw("""{"batchFinishedMin":"many","jobFailed":true}"""));
        Assert.Equal(HttpStatusCode.BadRequest, mistyped.StatusCode);
        Assert.Equal(new NotificationSettingsBody(2, false), await GetAsync(user));

        // Another user's settings are their own; no token, no settings.
        Assert.Equal(new NotificationSettingsBody(null, false), await GetAsync(other));
        using var anonymous = Server.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(Path)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsJsonAsync(Path, new { batchFinishedMin = 2, jobFailed = true })).StatusCode);
    }

    [Fact]
    public async Task A_big_batch_and_a_failure_are_mailed_a_small_batch_and_a_cancel_are_not()
    {
        var user = await Server.VerifiedUserAsync(Smtp, "en");
        await Server.SetPlanAsync(user.Id, "enterprise");
        await PutAsync(user, new { batchFinishedMin = 3, jobFailed = true });

        // Below the threshold, and a cancel: nothing. These go first, so a mail of theirs would come before the others.
        await RunAsync(user, TestUser.Request(batchSize: 2), "succeeded");
        await CancelWhileRunningAsync(user);
        await RunAsync(user, TestUser.Request(prompt: "a harbour at night", batchSize: 3), "succeeded");
        await RunAsync(user, TestUser.Request(prompt: "fail: a broken render"), "failed");

        var mails = await Smtp.WaitForAsync(user.Email, 3);
        Assert.Equal(["Your images are ready", "A generation failed"], mails.Skip(1).Select(m => m.Subject));
        Assert.Contains("All 3 images you asked for are ready.", mails[1].Text);
        Assert.Contains("Prompt: a harbour at night", mails[1].Text);
        Assert.Contains($"{SmtpServer.PublicUrl}/gallery", mails[1].Text);
        Assert.Contains("fail: a broken render", mails[2].Text);
        await AssertNoMoreMailAsync(user, 3);
    }

    [Fact]
    public async Task Korean_users_get_Korean_emails_and_nothing_when_both_are_off()
    {
        var user = await Server.VerifiedUserAsync(Smtp, "ko");
        Assert.Equal(HttpStatusCode.OK, (await user.Client.PatchAsJsonAsync("/api/v1/me", new { language = "ko" })).StatusCode);
        await Server.SetPlanAsync(user.Id, "enterprise");
        await PutAsync(user, new { batchFinishedMin = 2, jobFailed = true });
        await RunAsync(user, TestUser.Request(batchSize: 2), "succeeded");
        var mails = await Smtp.WaitForAsync(user.Email, 2);
        Assert.Equal("이미지 생성이 끝났어요", mails[1].Subject);
        Assert.Contains("요청하신 이미지 2장이 모두 만들어졌어요.", mails[1].Text);

        // Off: neither a big batch nor a failure is mailed.
        await PutAsync(user, new { batchFinishedMin = (int?)null, jobFailed = false });
        await RunAsync(user, TestUser.Request(batchSize: 4), "succeeded");
        await RunAsync(user, TestUser.Request(prompt: "fail: again"), "failed");
        await AssertNoMoreMailAsync(user, 2);

        // jobFailed alone: a failure is mailed in Korean, a big batch still is not.
        await PutAsync(user, new { batchFinishedMin = (int?)null, jobFailed = true });
        await RunAsync(user, TestUser.Request(batchSize: 4), "succeeded");
        await RunAsync(user, TestUser.Request(prompt: "fail: once more"), "failed");
        mails = await Smtp.WaitForAsync(user.Email, 3);
        Assert.Equal("이미지 생성에 실패했어요", mails[2].Subject);
        await AssertNoMoreMailAsync(user, 3);
    }

    private static async Task<NotificationSettingsBody> GetAsync(TestUser user) =>
        (await user.Client.GetFromJsonAsync<NotificationSettingsBody>(Path, Json.Options))!;

    private static async Task<NotificationSettingsBody> PutAsync(TestUser user, object body)
    {
        var response = await user.Client.PutAsJsonAsync(Path, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<NotificationSettingsBody>(Json.Options))!;
    }

    private static async Task RunAsync(TestUser user, object request, string expected)
    {
        var done = await user.WaitForAsync((await user.SubmitAsync(request)).Id);
        Assert.Equal(expected, done.Status);
    }

    private static async Task CancelWhileRunningAsync(TestUser user)
    {
        var job = await user.SubmitAsync(TestUser.Request(steps: 150));
        await user.WaitForAsync(job.Id, "running");
        Assert.Equal(HttpStatusCode.OK, (await user.Client.PostAsync($"/api/v1/generations/{job.Id}/cancel", null)).StatusCode);
        Assert.Equal("cancelled", (await user.WaitForAsync(job.Id)).Status);
    }

    /// <summary>Every email of the user's has left the outbox, and the SMTP server holds exactly <paramref name="count"/>.</summary>
    private async Task AssertNoMoreMailAsync(TestUser user, int count)
    {
        await Eventually.UntilAsync(
            async () => !await Server.QueryAsync(db => db.Outbox.AnyAsync(m => m.Topic == "email" && m.UserId == user.Id && m.DeliveredAt == null && m.FailedAt == null)),
            TimeSpan.FromSeconds(20), "every email should have left the outbox");

        // Delivered means the SMTP server accepted it; give it a moment to store the message.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Equal(count, Smtp.MessagesTo(user.Email).Count);
    }
}
