using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Email;

/// <summary>"Forgot password" end to end: the request, the email, the new password, every session signed out.</summary>
public sealed class PasswordResetEmailTests(EmailServerFixture fixture) : IClassFixture<EmailServerFixture>
{
    private PingvasServer Server => fixture.Server;

    private SmtpServer Smtp => fixture.Smtp;

    [Fact]
    public async Task A_reset_link_sets_a_new_password_once_and_signs_out_every_session()
    {
        var user = await Server.VerifiedUserAsync(Smtp, "ko");
        var other = (await (await Server.LoginAsync(user.Email, EmailTestKit.Password)).Content.ReadFromJsonAsync<AuthBody>(Json.Options))!;

        // The account never chose a language: the forgot-password page's request tells it (Accept-Language).
        Assert.Equal(HttpStatusCode.Accepted, (await Server.PostAsync("/api/v1/auth/password-reset", new { email = user.Email.ToUpperInvariant() }, "ko-KR,ko;q=0.9")).StatusCode);
        var mail = (await Smtp.WaitForAsync(user.Email, 2))[1];
        Assert.Equal("비밀번호 재설정 안내", mail.Subject);
        Assert.True(mail.Secure);
        var token = mail.TokenFor("/reset-password");
        Assert.Contains($"{SmtpServer.PublicUrl}/reset-password?token={token}", mail.Text);
        Assert.Contains($"href=\"{SmtpServer.PublicUrl}/reset-password?token={token}\"", mail.Html);

        // A weak password is refused and does not use up the link.
        await ProblemAssert.ValidationAsync(await Server.PostAsync("/api/v1/auth/password-reset/confirm", new { token, password = "short" }), "password");

        const string newPassword = "a brand new passphrase";
        var confirmed = await Server.PostAsync("/api/v1/auth/password-reset/confirm", new { token, password = newPassword });
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);

        // Single use.
        await ProblemAssert.ReadAsync(await Server.PostAsync("/api/v1/auth/password-reset/confirm", new { token, password = "yet another passphrase" }),
            HttpStatusCode.BadRequest, "invalid_token");

        // The old password is refused, the new one works.
        await ProblemAssert.ReadAsync(await Server.LoginAsync(user.Email, EmailTestKit.Password), HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal(HttpStatusCode.OK, (await Server.LoginAsync(user.Email, newPassword)).StatusCode);

        // Both earlier sessions are signed out: their access tokens and refresh tokens are refused.
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Client.GetAsync("/api/v1/me")).StatusCode);
        using var otherClient = Server.CreateClient(other.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await otherClient.GetAsync("/api/v1/me")).StatusCode);
        foreach (var refresh in new[] { user.RefreshToken, other.RefreshToken })
        {
            await ProblemAssert.ReadAsync(await Server.PostAsync("/api/v1/auth/refresh", new { refreshToken = refresh }), HttpStatusCode.Unauthorized, "invalid_refresh_token");
        }
    }

    [Fact]
    public async Task An_unknown_address_gets_the_same_answer_and_no_email()
    {
        var unknown = EmailTestKit.NewAddress("nobody");
        var answer = await Server.PostAsync("/api/v1/auth/password-reset", new { email = unknown });
        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Server.PostAsync("/api/v1/auth/password-reset", new { email = "" })).StatusCode);

        // A known address asked afterwards is mailed; the outbox delivers in order, so by the time
        // its email is here, one for the unknown address would be here too.
        var user = await Server.VerifiedUserAsync(Smtp);
        Assert.Equal(HttpStatusCode.Accepted, (await Server.PostAsync("/api/v1/auth/password-reset", new { email = user.Email })).StatusCode);
        Assert.Equal("Reset your password", (await Smtp.WaitForAsync(user.Email, 2))[1].Subject);
        Assert.Empty(Smtp.MessagesTo(unknown));
    }

    [Fact]
    public async Task A_new_reset_link_replaces_the_older_one_and_an_address_gets_at_most_three_an_hour()
    {
        var user = await Server.VerifiedUserAsync(Smtp);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await Server.PostAsync("/api/v1/auth/password-reset", new { email = user.Email })).StatusCode);
        }

        // welcome + 3 resets; the fourth request was answered the same but sent nothing.
        var mails = await Smtp.WaitForAsync(user.Email, 4);
        var again = await Server.VerifiedUserAsync(Smtp);
        Assert.Equal(HttpStatusCode.Accepted, (await Server.PostAsync("/api/v1/auth/password-reset", new { email = again.Email })).StatusCode);
        await Smtp.WaitForAsync(again.Email, 2);
        Assert.Equal(4, Smtp.MessagesTo(user.Email).Count);

        var first = mails[1].TokenFor("/reset-password");
        var last = mails[3].TokenFor("/reset-password");
        await ProblemAssert.ReadAsync(await Server.PostAsync("/api/v1/auth/password-reset/confirm", new { token = first, password = "a brand new passphrase" }),
            HttpStatusCode.BadRequest, "invalid_token");
        Assert.Equal(HttpStatusCode.OK, (await Server.PostAsync("/api/v1/auth/password-reset/confirm", new { token = last, password = "a brand new passphrase" })).StatusCode);
    }
}
