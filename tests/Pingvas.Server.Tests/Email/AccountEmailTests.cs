using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Data;
using Pingvas.Server.Email;
using Pingvas.Server.Outbox;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Email;

/// <summary>
/// Sign-up verification, resend and the language of the emails, against a real SMTP server that
/// the app reaches with STARTTLS; every link is followed through the API as the web page would.
/// </summary>
public sealed class AccountEmailTests(EmailServerFixture fixture) : IClassFixture<EmailServerFixture>
{
    private PingvasServer Server => fixture.Server;

    private SmtpServer Smtp => fixture.Smtp;

    [Fact]
    public async Task Sign_up_mails_a_Korean_welcome_over_STARTTLS_and_the_Free_credits_wait_for_its_link()
    {
        var user = await Server.SignUpAsync(EmailTestKit.NewAddress(), "ko-KR,ko;q=0.9,en;q=0.8");

        // Signed in, but unverified and without the Free plan's credits yet.
        var before = await user.AccountAsync();
        Assert.False(before.EmailVerified);
        Assert.Equal(0, before.Credits.Balance);
        await ProblemAssert.ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/generations", TestUser.Request()), HttpStatusCode.PaymentRequired, "insufficient_credits");

        var welcome = Assert.Single(await Smtp.WaitForAsync(user.Email));
        Assert.True(welcome.Secure, "The app must upgrade the session with STARTTLS before sending.");
        Assert.Contains("no-reply@pingvas.test", welcome.Headers["from"]);
        Assert.Equal("Pingvas Studio에 오신 것을 환영해요", welcome.Subject);
        Assert.StartsWith("multipart/alternative", welcome.ContentType);
        Assert.Equal(["text/plain", "text/html"], welcome.Parts.Select(p => p.MediaType));
        Assert.Contains("테스트 Tester님, 환영해요!", welcome.Text);
        Assert.Contains("<html lang=\"ko\">", welcome.Html);
        Assert.Contains("이메일 인증하기", welcome.Html);

        // The same absolute link in both parts, on App__PublicUrl.
        var token = welcome.TokenFor("/verify-email");
        Assert.Contains($"{SmtpServer.PublicUrl}/verify-email?token={token}", welcome.Text);
        Assert.Contains($"href=\"{SmtpServer.PublicUrl}/verify-email?token={token}\"", welcome.Html);

        var verified = await Server.PostAsync("/api/v1/auth/verify-email", new { token });
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        var body = (await verified.Content.ReadFromJsonAsync<VerifyBody>(Json.Options))!;
        Assert.Equal((user.Email, true), (body.Email, body.Verified));

        var after = await user.AccountAsync();
        Assert.True(after.EmailVerified);
        Assert.Equal(100, after.Credits.Balance);

        // Single use: the second time it is refused and grants nothing more.
        await ProblemAssert.ReadAsync(await Server.PostAsync("/api/v1/auth/verify-email", new { token }), HttpStatusCode.BadRequest, "invalid_token");
        await ProblemAssert.ReadAsync(await Server.PostAsync("/api/v1/auth/verify-email", new { token = "not-a-token" }), HttpStatusCode.BadRequest, "invalid_token");
        Assert.Equal(100, (await user.AccountAsync()).Credits.Balance);
        Assert.Single(await user.LedgerAsync(), e => e.Kind == "grant");
    }

    [Fact]
    public async Task An_account_without_a_language_gets_English_and_a_resend_follows_the_language_chosen_since()
    {
        var user = await Server.SignUpAsync(EmailTestKit.NewAddress(), acceptLanguage: null);
        var welcome = Assert.Single(await Smtp.WaitForAsync(user.Email));
        Assert.Equal("Welcome to Pingvas Studio", welcome.Subject);
        Assert.Contains("Confirm your email address with the button below", welcome.Text);
        Assert.Contains("<html lang=\"en\">", welcome.Html);

        Assert.Equal(HttpStatusCode.OK, (await user.Client.PatchAsJsonAsync("/api/v1/me", new { language = "ko" })).StatusCode);

        // At most one link a minute, the welcome's included.
        var early = await user.Client.PostAsync("/api/v1/me/verify-email/resend", null);
        await ProblemAssert.ReadAsync(early, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.NotNull(early.Headers.RetryAfter);
        await Server.JumpClockAsync(TimeSpan.FromSeconds(61));
        Assert.Equal(HttpStatusCode.Accepted, (await user.Client.PostAsync("/api/v1/me/verify-email/resend", null)).StatusCode);
        await ProblemAssert.ReadAsync(await user.Client.PostAsync("/api/v1/me/verify-email/resend", null), HttpStatusCode.TooManyRequests, "rate_limited");

        var resent = (await Smtp.WaitForAsync(user.Email, 2))[1];
        Assert.Equal("이메일 주소를 인증해 주세요", resent.Subject);

        // Only the newest link works: the welcome's was superseded.
        await ProblemAssert.ReadAsync(
            await Server.PostAsync("/api/v1/auth/verify-email", new { token = welcome.TokenFor("/verify-email") }), HttpStatusCode.BadRequest, "invalid_token");
        Assert.Equal(HttpStatusCode.OK, (await Server.PostAsync("/api/v1/auth/verify-email", new { token = resent.TokenFor("/verify-email") })).StatusCode);
        Assert.True((await user.AccountAsync()).EmailVerified);

        await ProblemAssert.ReadAsync(await user.Client.PostAsync("/api/v1/me/verify-email/resend", null), HttpStatusCode.Conflict, "already_verified");
    }

    [Fact]
    public async Task A_name_with_markup_arrives_encoded_in_the_html_part()
    {
        // A name with markup must arrive as text in the HTML part, never as markup.
        using var anonymous = Server.CreateClient();
        var email = EmailTestKit.NewAddress("markup");
        var response = await anonymous.PostAsJsonAsync("/api/v1/auth/register", new { email, password = EmailTestKit.Password, name = "<b>Bold</b> & \"Co\"" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var welcome = Assert.Single(await Smtp.WaitForAsync(email));
        Assert.Contains("&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;Co&quot;", welcome.Html);
        Assert.DoesNotContain("<b>Bold</b>", welcome.Html);
        Assert.Contains("Welcome, <b>Bold</b> & \"Co\"!", welcome.Text);
    }

    [Fact]
    public async Task A_message_that_can_never_be_sent_is_dropped_without_holding_up_the_others()
    {
        var owner = await Server.SignUpAsync(EmailTestKit.NewAddress(), "en");
        Guid broken;
        Guid unknownKind;
        await using (var scope = Server.Services.CreateSystemScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
            var outbox = scope.ServiceProvider.GetRequiredService<OutboxWriter>();
            broken = outbox.Add(EmailOutbox.Topic, null, "{not json").Id;
            unknownKind = outbox.Enqueue(new EmailRequest("no_such_kind", owner.Id, new Dictionary<string, string>())).Id;
            await db.SaveChangesAsync();
        }

        var user = await Server.SignUpAsync(EmailTestKit.NewAddress(), "en");
        Assert.Single(await Smtp.WaitForAsync(user.Email));
        await Eventually.UntilAsync(
            async () => await Server.QueryAsync(db => db.Outbox.CountAsync(m => (m.Id == broken || m.Id == unknownKind) && m.DeliveredAt != null)) == 2,
            TimeSpan.FromSeconds(15), "both broken messages should be dropped (marked done) on their first attempt");
        Assert.Equal([1, 1], await Server.QueryAsync(db => db.Outbox.Where(m => m.Id == broken || m.Id == unknownKind).Select(m => m.Attempts).ToListAsync()));
    }

    public sealed record VerifyBody(string Email, bool Verified);
}
