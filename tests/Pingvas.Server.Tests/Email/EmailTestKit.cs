using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Credits;
using Pingvas.Server.Data;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Email;

public sealed record AccountBody(Guid Id, string Email, string? Language, bool EmailVerified, string? PendingEmail, CreditsBody Credits);

public sealed record NoticeBody(Guid Id, string Kind, DateTime CreatedAt, JsonElement Data);

/// <summary>A real SMTP server (STARTTLS, test certificate pinned) and a server that mails through it, shared by a test class.</summary>
public sealed class EmailServerFixture : IAsyncLifetime
{
    public SmtpServer Smtp { get; private set; } = null!;

    public PingvasServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Smtp = await SmtpServer.StartAsync();
        Server = await PingvasServer.StartAsync(new TestSettings().With(Smtp.AppSettings()));
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

/// <summary>What the email tests do again and again.</summary>
public static class EmailTestKit
{
    public const string Password = "correct horse battery";

    public static string NewAddress(string tag = "user") => $"{tag}-{Guid.NewGuid():N}@example.com";

    /// <summary>Signs up with an Accept-Language header (what a browser sends), and returns the signed-in user.</summary>
    public static async Task<TestUser> SignUpAsync(this PingvasServer server, string email, string? acceptLanguage)
    {
        using var anonymous = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/register")
        {
            Content = JsonContent.Create(new { email, password = Password, name = "테스트 Tester" }),
        };
        if (acceptLanguage is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }

        var response = await anonymous.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var body = (await response.Content.ReadFromJsonAsync<AuthBody>(Json.Options))!;
        return new TestUser(server, body.User.Id, email, Password, body.AccessToken, body.RefreshToken);
    }

    /// <summary>Signs up, follows the welcome email's link, and returns the verified user (with the Free credits).</summary>
    public static async Task<TestUser> VerifiedUserAsync(this PingvasServer server, SmtpServer smtp, string? acceptLanguage = "en")
    {
        var user = await server.SignUpAsync(NewAddress(), acceptLanguage);
        var welcome = (await smtp.WaitForAsync(user.Email)).Single();
        var verified = await server.PostAsync("/api/v1/auth/verify-email", new { token = welcome.TokenFor("/verify-email") });
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        return user;
    }

    public static async Task<AccountBody> AccountAsync(this TestUser user) =>
        (await user.Client.GetFromJsonAsync<AccountBody>("/api/v1/me", Json.Options))!;

    public static async Task<List<NoticeBody>> NoticesAsync(this TestUser user) =>
        (await user.Client.GetFromJsonAsync<List<NoticeBody>>("/api/v1/notices", Json.Options))!;

    /// <summary>An anonymous POST, with the Accept-Language a browser would send when given.</summary>
    public static async Task<HttpResponseMessage> PostAsync(this PingvasServer server, string path, object body, string? acceptLanguage = null)
    {
        using var anonymous = server.CreateClient();
        if (acceptLanguage is not null)
        {
            anonymous.DefaultRequestHeaders.TryAddWithoutValidation("Accept-Language", acceptLanguage);
        }

        return await anonymous.PostAsJsonAsync(path, body);
    }

    public static async Task<HttpResponseMessage> LoginAsync(this PingvasServer server, string email, string password) =>
        await server.PostAsync("/api/v1/auth/login", new { email, password });

    /// <summary>Moves the user's spendable balance to <paramref name="target"/> with an adjustment through the ledger, as an admin's would.</summary>
    public static async Task SetBalanceAsync(this PingvasServer server, Guid userId, int target)
    {
        await using var scope = server.Services.CreateSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
        var ledger = scope.ServiceProvider.GetRequiredService<Ledger>();
        await using var tx = await db.BeginWriteAsync(CancellationToken.None);
        await db.LockUserAsync(userId, CancellationToken.None);
        var balance = (await ledger.BalanceAsync(userId, CancellationToken.None)).Balance;
        if (balance != target)
        {
            Assert.NotNull(await ledger.AdjustAsync(userId, target - balance, null, "test: set the balance", $"test:{Guid.NewGuid()}", CancellationToken.None));
        }

        await tx.CommitAsync(CancellationToken.None);
    }
}
