using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Accounts;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Admin;

public sealed record TotpEnrollmentBody(string Secret, string OtpauthUri);

public sealed record TotpConfirmBody(List<string> RecoveryCodes, string AccessToken, string RefreshToken, int ExpiresIn);

public sealed record AdminUserBody(
    Guid Id, string Email, string Name, string Role, string Plan, int Balance, int Reserved, bool Unlimited, bool Suspended, bool TotpEnabled,
    DateTime PeriodEnd, DateTime CreatedAt);

public sealed record CreditAdjustmentBody(Guid EntryId, int Amount, int BalanceAfter, string Reason, bool Replayed, AdminUserBody User);

public sealed record AuditBody(
    Guid Id, Guid AdminId, string AdminEmail, string Action, string TargetType, string? TargetId, string? Before, string? After,
    string? ClientAddress, string? UserAgent, DateTime CreatedAt);

/// <summary>Admins as the API makes them: the role granted in the account's row, TOTP enrolled, signed in with a code.</summary>
public static class AdminKit
{
    /// <summary>The TOTP code of the step <paramref name="stepsAhead"/> after the server's clock (±1 step is accepted).</summary>
    public static string Code(PingvasServer server, string secret, int stepsAhead = 0) =>
        Totp.Code(Totp.FromBase32(secret), Totp.StepAt(server.Time.GetUtcNow()) + stepsAhead);

    /// <summary>A registered account with the admin role, without TOTP (its admin routes answer totp_required).</summary>
    public static async Task<TestUser> AdminWithoutTotpAsync(PingvasServer server)
    {
        var user = await server.RegisterAsync();
        await server.QueryAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.Role, Roles.Admin)));
        return user;
    }

    /// <summary>Enrols and confirms TOTP for <paramref name="user"/>; the confirmation's tokens are signed in with the code.</summary>
    public static async Task<(string Secret, TotpConfirmBody Confirmed)> EnrolAsync(PingvasServer server, TestUser user)
    {
        var enrol = await user.Client.PostAsync("/api/v1/me/totp/enroll", null);
        Assert.Equal(HttpStatusCode.OK, enrol.StatusCode);
        var enrollment = (await enrol.Content.ReadFromJsonAsync<TotpEnrollmentBody>(Json.Options))!;
        var confirm = await user.Client.PostAsJsonAsync("/api/v1/me/totp/confirm", new { code = Code(server, enrollment.Secret) });
        Assert.True(confirm.StatusCode == HttpStatusCode.OK, await confirm.Content.ReadAsStringAsync());
        return (enrollment.Secret, (await confirm.Content.ReadFromJsonAsync<TotpConfirmBody>(Json.Options))!);
    }

    /// <summary>An admin with TOTP whose client is signed in with the code: every admin route answers it.</summary>
    public static async Task<TestUser> AdminAsync(PingvasServer server)
    {
        var user = await AdminWithoutTotpAsync(server);
        var (_, confirmed) = await EnrolAsync(server, user);
        return new TestUser(server, user.Id, user.Email, user.Password, confirmed.AccessToken, confirmed.RefreshToken);
    }

    /// <summary>Password then code: the two-step sign-in of a TOTP account; the second step's response.</summary>
    public static async Task<HttpResponseMessage> SignInWithCodeAsync(PingvasServer server, TestUser user, string? code = null, string? recoveryCode = null)
    {
        var token = await ChallengeTokenAsync(server, user);
        using var anonymous = server.CreateClient();
        return await anonymous.PostAsJsonAsync("/api/v1/auth/login/totp", new { challengeToken = token, code, recoveryCode });
    }

    /// <summary>Signs in with the password and returns the challenge token of the 401 totp_required answer.</summary>
    public static async Task<string> ChallengeTokenAsync(PingvasServer server, TestUser user)
    {
        using var anonymous = server.CreateClient();
        var response = await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = user.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("totp_required", (string?)body["code"]);
        return (string)body["challengeToken"]!;
    }
}
