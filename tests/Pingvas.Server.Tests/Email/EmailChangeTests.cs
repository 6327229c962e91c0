using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Email;

/// <summary>A change of email: the new address verified by a link, the old one told, a taken address refused.</summary>
public sealed class EmailChangeTests(EmailServerFixture fixture) : IClassFixture<EmailServerFixture>
{
    private PingvasServer Server => fixture.Server;

    private SmtpServer Smtp => fixture.Smtp;

    [Fact]
    public async Task The_account_moves_to_the_new_address_when_its_link_is_used_and_the_old_address_is_told()
    {
        var user = await Server.VerifiedUserAsync(Smtp);
        var newAddress = EmailTestKit.NewAddress("moved");

        Assert.Equal(HttpStatusCode.Accepted, (await user.Client.PostAsJsonAsync("/api/v1/me/email", new { email = newAddress, password = EmailTestKit.Password })).StatusCode);
        var pending = await user.AccountAsync();
        Assert.Equal((user.Email, newAddress), (pending.Email, pending.PendingEmail));

        var link = Assert.Single(await Smtp.WaitForAsync(newAddress));
        Assert.Equal("Confirm your email address", link.Subject);
        Assert.Contains("make this address the email of your Pingvas Studio account", link.Text);
        var told = (await Smtp.WaitForAsync(user.Email, 2))[1];
        Assert.Equal("Your account's email is being changed", told.Subject);
        Assert.Contains(newAddress, told.Text);

        var verified = await Server.PostAsync("/api/v1/auth/verify-email", new { token = link.TokenFor("/verify-email") });
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        Assert.Contains(newAddress, await verified.Content.ReadAsStringAsync());

        var moved = await user.AccountAsync();
        Assert.Equal((newAddress, (string?)null, true), (moved.Email, moved.PendingEmail, moved.EmailVerified));
        Assert.Equal(HttpStatusCode.OK, (await Server.LoginAsync(newAddress, EmailTestKit.Password)).StatusCode);
        await ProblemAssert.ReadAsync(await Server.LoginAsync(user.Email, EmailTestKit.Password), HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    [Fact]
    public async Task A_taken_address_or_a_wrong_password_is_refused_and_an_address_taken_meanwhile_is_not_moved_to()
    {
        var user = await Server.VerifiedUserAsync(Smtp);
        var someone = await Server.VerifiedUserAsync(Smtp);

        await ProblemAssert.ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/me/email", new { email = someone.Email, password = EmailTestKit.Password }),
            HttpStatusCode.Conflict, "email_taken");
        await ProblemAssert.ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/me/email", new { email = EmailTestKit.NewAddress(), password = "wrong password!" }),
            HttpStatusCode.Forbidden, "wrong_password");
        await ProblemAssert.ValidationAsync(await user.Client.PostAsJsonAsync("/api/v1/me/email", new { email = "not an address", password = EmailTestKit.Password }), "email");

        // The link is mailed; before it is used, someone else signs up with that address.
        var wanted = EmailTestKit.NewAddress("wanted");
        Assert.Equal(HttpStatusCode.Accepted, (await user.Client.PostAsJsonAsync("/api/v1/me/email", new { email = wanted, password = EmailTestKit.Password })).StatusCode);
        var link = Assert.Single(await Smtp.WaitForAsync(wanted));
        await Server.SignUpAsync(wanted, "en");
        await ProblemAssert.ReadAsync(await Server.PostAsync("/api/v1/auth/verify-email", new { token = link.TokenFor("/verify-email") }), HttpStatusCode.Conflict, "email_taken");
        Assert.Equal(user.Email, (await user.AccountAsync()).Email);
    }
}
