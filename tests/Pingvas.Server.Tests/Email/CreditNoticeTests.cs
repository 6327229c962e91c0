using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Email;

/// <summary>Credits low (≤ 10% of the plan's grant) and exhausted: an in-app notice and an email, once per billing period.</summary>
public sealed class CreditNoticeTests(EmailServerFixture fixture) : IClassFixture<EmailServerFixture>
{
    private PingvasServer Server => fixture.Server;

    private SmtpServer Smtp => fixture.Smtp;

    [Fact]
    public async Task Low_and_exhausted_are_noticed_and_mailed_once_per_period()
    {
        var user = await Server.VerifiedUserAsync(Smtp, "ko");
        Assert.Equal(HttpStatusCode.OK, (await user.Client.PatchAsJsonAsync("/api/v1/me", new { language = "ko" })).StatusCode);

        // 11 of the Free plan's 100 is above 10%: nothing yet. One job later it is 10: low.
        await using var hub = await NodeSignalRClient.ConnectAsync(Server.BaseAddress, user.AccessToken, new NodeSignalROptions { Seconds = 60 });
        await Server.SetBalanceAsync(user.Id, 11);
        await RunJobAsync(user);
        Assert.Equal(10, (await user.AccountAsync()).Credits.Balance);
        var low = Assert.Single(await user.NoticesAsync());
        Assert.Equal("credits_low", low.Kind);
        Assert.Equal(10, low.Data.GetProperty("balance").GetInt32());
        Assert.Equal(100, low.Data.GetProperty("monthlyCredits").GetInt32());

        // The open app hears it live too, as the hub's notice event.
        await Eventually.UntilAsync(() => Task.FromResult(hub.Lines.Any(l => l.GetProperty("event").GetString() == "notice")),
            TimeSpan.FromSeconds(15), "the hub should send the notice");
        var live = hub.Lines.First(l => l.GetProperty("event").GetString() == "notice").GetProperty("data");
        Assert.Equal((low.Id, "credits_low", 10), (live.GetProperty("id").GetGuid(), live.GetProperty("kind").GetString(), live.GetProperty("data").GetProperty("balance").GetInt32()));

        // Still low after the next job: no second notice in this period.
        await RunJobAsync(user);
        Assert.Single(await user.NoticesAsync());

        // Down to the last credit, and one more job: exhausted.
        await Server.SetBalanceAsync(user.Id, 1);
        await RunJobAsync(user);
        Assert.Equal(0, (await user.AccountAsync()).Credits.Balance);
        var notices = await user.NoticesAsync();
        Assert.Equal(["credits_exhausted", "credits_low"], notices.Select(n => n.Kind));

        // Emailed in Korean, once each, in order: welcome, low, exhausted.
        var mails = await Smtp.WaitForAsync(user.Email, 3);
        Assert.Equal(["크레딧이 얼마 남지 않았어요", "크레딧을 모두 사용했어요"], mails.Skip(1).Select(m => m.Subject));
        Assert.Contains("남은 크레딧은 10이에요.", mails[1].Text);
        Assert.Contains($"{SmtpServer.PublicUrl}/credits", mails[1].Text);
        Assert.Contains($"href=\"{SmtpServer.PublicUrl}/billing\"", mails[2].Html);

        // Dismissed notices leave the list; dismissing twice is fine.
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.PostAsync($"/api/v1/notices/{low.Id}/dismiss", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.PostAsync($"/api/v1/notices/{low.Id}/dismiss", null)).StatusCode);
        Assert.Equal(["credits_exhausted"], (await user.NoticesAsync()).Select(n => n.Kind));

        // The next billing period may be told again.
        await Server.JumpClockAsync(TimeSpan.FromDays(32));
        Assert.Equal(100, (await user.AccountAsync()).Credits.Balance);
        await Server.SetBalanceAsync(user.Id, 11);
        await RunJobAsync(user);
        Assert.Equal(["credits_low", "credits_exhausted"], (await user.NoticesAsync()).Select(n => n.Kind));
        Assert.Equal(4, (await Smtp.WaitForAsync(user.Email, 4)).Count);
    }

    [Fact]
    public async Task Notices_are_private_and_unlimited_plans_get_none()
    {
        var owner = await Server.VerifiedUserAsync(Smtp);
        var stranger = await Server.VerifiedUserAsync(Smtp);
        await Server.SetBalanceAsync(owner.Id, 1);
        await RunJobAsync(owner);
        var notice = Assert.Single(await owner.NoticesAsync());

        Assert.Empty(await stranger.NoticesAsync());
        await ProblemAssert.ReadAsync(await stranger.Client.PostAsync($"/api/v1/notices/{notice.Id}/dismiss", null), HttpStatusCode.NotFound, "not_found");
        await ProblemAssert.ReadAsync(await stranger.Client.PostAsync($"/api/v1/notices/{Guid.NewGuid()}/dismiss", null), HttpStatusCode.NotFound, "not_found");
        Assert.Single(await owner.NoticesAsync());
        using var anonymous = Server.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/notices")).StatusCode);

        // Enterprise has no monthly grant: however little is left, nothing is noticed.
        await Server.SetPlanAsync(stranger.Id, "enterprise");
        await RunJobAsync(stranger);
        await RunJobAsync(stranger);
        Assert.Empty(await stranger.NoticesAsync());
    }

    private static async Task RunJobAsync(TestUser user)
    {
        var done = await user.WaitForAsync((await user.SubmitAsync()).Id);
        Assert.Equal("succeeded", done.Status);
    }
}
