using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Email;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Email;

/// <summary>Delivery through the outbox: retried while the relay is down, AUTH after STARTTLS, expiring links, and email off (the embedded default).</summary>
public sealed class EmailDeliveryTests
{
    [Fact]
    public async Task Emails_written_while_the_relay_is_down_are_delivered_once_it_is_up()
    {
        var port = SmtpServer.FreePort();
        await using var server = await PingvasServer.StartAsync(new TestSettings().With(SmtpServer.AppSettings(port)));
        var user = await server.SignUpAsync(EmailTestKit.NewAddress(), "en");

        // Nobody listens yet: the delivery fails and is retried with backoff, not given up.
        await Eventually.UntilAsync(
            async () => await server.QueryAsync(db => db.Outbox.AnyAsync(m => m.Topic == EmailOutbox.Topic && m.UserId == user.Id && m.Attempts >= 2 && m.LastError != null)),
            TimeSpan.FromSeconds(30), "the email's delivery should fail and be tried again");
        Assert.False(await server.QueryAsync(db => db.Outbox.AnyAsync(m => m.UserId == user.Id && (m.DeliveredAt != null || m.FailedAt != null))));

        await using var smtp = await SmtpServer.StartAsync(port);
        var welcome = Assert.Single(await smtp.WaitForAsync(user.Email, timeout: TimeSpan.FromSeconds(60)));
        Assert.Equal("Welcome to Pingvas Studio", welcome.Subject);
        Assert.Equal(HttpStatusCode.OK, (await server.PostAsync("/api/v1/auth/verify-email", new { token = welcome.TokenFor("/verify-email") })).StatusCode);
    }

    [Fact]
    public async Task The_relay_gets_the_credentials_after_STARTTLS_and_wrong_ones_are_retried_not_lost()
    {
        await using var smtp = await SmtpServer.StartAsync(user: "mailer", password: "relay secret");
        await using (var wrong = await PingvasServer.StartAsync(new TestSettings().With(smtp.AppSettings("mailer", "not the secret"))))
        {
            var refused = await wrong.SignUpAsync(EmailTestKit.NewAddress(), "en");
            await Eventually.UntilAsync(
                async () => await wrong.QueryAsync(db => db.Outbox.AnyAsync(m => m.UserId == refused.Id && m.Attempts >= 2 && m.DeliveredAt == null)),
                TimeSpan.FromSeconds(30), "a refused login should be retried");
            Assert.Empty(smtp.MessagesTo(refused.Email));
        }

        await using var server = await PingvasServer.StartAsync(new TestSettings().With(smtp.AppSettings("mailer", "relay secret")));
        var user = await server.SignUpAsync(EmailTestKit.NewAddress(), "en");
        var welcome = Assert.Single(await smtp.WaitForAsync(user.Email));
        Assert.True(welcome.Secure);
        Assert.Equal("mailer", welcome.AuthenticatedUser);
    }

    [Fact]
    public async Task Links_expire()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var server = await PingvasServer.StartAsync(new TestSettings().With(smtp.AppSettings()));
        var user = await server.SignUpAsync(EmailTestKit.NewAddress(), "en");
        var verify = Assert.Single(await smtp.WaitForAsync(user.Email)).TokenFor("/verify-email");

        // A reset link lives an hour; a verification link 48 hours.
        Assert.Equal(HttpStatusCode.Accepted, (await server.PostAsync("/api/v1/auth/password-reset", new { email = user.Email })).StatusCode);
        var reset = (await smtp.WaitForAsync(user.Email, 2))[1].TokenFor("/reset-password");
        await server.JumpClockAsync(TimeSpan.FromMinutes(61));
        await ProblemAssert.ReadAsync(await server.PostAsync("/api/v1/auth/password-reset/confirm", new { token = reset, password = "a brand new passphrase" }),
            HttpStatusCode.BadRequest, "invalid_token");

        await server.JumpClockAsync(TimeSpan.FromHours(47));
        await ProblemAssert.ReadAsync(await server.PostAsync("/api/v1/auth/verify-email", new { token = verify }), HttpStatusCode.BadRequest, "invalid_token");
        var me = await user.AccountAsync();
        Assert.Equal((false, 0), (me.EmailVerified, me.Credits.Balance));

        // Periods that passed unverified granted nothing either; a fresh link then grants the current one's credits.
        await server.JumpClockAsync(TimeSpan.FromDays(40));
        Assert.Equal(0, (await user.AccountAsync()).Credits.Balance);
        Assert.Equal(HttpStatusCode.Accepted, (await user.Client.PostAsync("/api/v1/me/verify-email/resend", null)).StatusCode);
        var fresh = (await smtp.WaitForAsync(user.Email, 3))[2].TokenFor("/verify-email");
        Assert.Equal(HttpStatusCode.OK, (await server.PostAsync("/api/v1/auth/verify-email", new { token = fresh })).StatusCode);
        Assert.Equal(100, (await user.AccountAsync()).Credits.Balance);
        Assert.Single(await user.LedgerAsync(), e => e.Kind == "grant");
    }

    [Fact]
    public async Task With_email_off_addresses_count_as_verified_at_sign_up_and_nothing_is_queued()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings());
        var user = await server.SignUpAsync(EmailTestKit.NewAddress(), "ko");
        var me = await user.AccountAsync();
        Assert.Equal((true, 100, (string?)null), (me.EmailVerified, me.Credits.Balance, me.PendingEmail));

        Assert.Equal(HttpStatusCode.Accepted, (await server.PostAsync("/api/v1/auth/password-reset", new { email = user.Email })).StatusCode);
        await ProblemAssert.ReadAsync(await user.Client.PostAsync("/api/v1/me/verify-email/resend", null), HttpStatusCode.Conflict, "already_verified");

        // No way to verify a new address: it changes at once.
        var moved = EmailTestKit.NewAddress("moved");
        Assert.Equal(HttpStatusCode.Accepted, (await user.Client.PostAsJsonAsync("/api/v1/me/email", new { email = moved, password = EmailTestKit.Password })).StatusCode);
        Assert.Equal(moved, (await user.AccountAsync()).Email);

        Assert.False(await server.QueryAsync(db => db.Outbox.AnyAsync(m => m.Topic == EmailOutbox.Topic)));
        Assert.False(await server.QueryAsync(db => db.AccountTokens.AnyAsync()));
    }
}
