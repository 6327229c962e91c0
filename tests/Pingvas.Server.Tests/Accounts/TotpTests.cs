using System.Net;
using System.Net.Http.Json;
using System.Text;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Accounts;
using Pingvas.Server.Tests.Admin;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Accounts;

/// <summary>RFC 6238 TOTP: the algorithm against the RFC's vectors, and enrolment and two-step sign-in through the API.</summary>
public sealed class TotpTests
{
    private static readonly byte[] RfcKey = Encoding.ASCII.GetBytes("12345678901234567890");

    /// <summary>RFC 6238 appendix B, SHA-1 column (8 digits).</summary>
    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(2000000000L, "69279037")]
    [InlineData(20000000000L, "65353130")]
    public void Codes_match_the_rfc_6238_vectors(long unixSeconds, string expected)
    {
        var step = Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));
        Assert.Equal(expected, Totp.Code(RfcKey, step, digits: 8));
        Assert.Equal(expected[2..], Totp.Code(RfcKey, step));
    }

    [Fact]
    public void A_code_is_accepted_one_step_either_side_and_never_twice()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1111111111);
        var step = Totp.StepAt(now);
        Assert.Equal(step, Totp.Match(RfcKey, Totp.Code(RfcKey, step), now, 0));
        Assert.Equal(step - 1, Totp.Match(RfcKey, Totp.Code(RfcKey, step - 1), now, 0));
        Assert.Equal(step + 1, Totp.Match(RfcKey, Totp.Code(RfcKey, step + 1), now, 0));
        Assert.Null(Totp.Match(RfcKey, Totp.Code(RfcKey, step - 2), now, 0));
        Assert.Null(Totp.Match(RfcKey, Totp.Code(RfcKey, step + 2), now, 0));

        // Once a step was used, its code and every earlier one are refused.
        Assert.Null(Totp.Match(RfcKey, Totp.Code(RfcKey, step), now, lastUsedStep: step));
        Assert.Null(Totp.Match(RfcKey, Totp.Code(RfcKey, step - 1), now, lastUsedStep: step));
        Assert.Null(Totp.Match(RfcKey, "12345", now, 0));
        Assert.Null(Totp.Match(RfcKey, "abcdef", now, 0));
    }

    [Fact]
    public void Base32_round_trips_and_secrets_are_160_bits()
    {
        Assert.Equal("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", Totp.ToBase32(RfcKey));
        Assert.Equal(RfcKey, Totp.FromBase32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"));
        Assert.Equal(20, Totp.FromBase32(Totp.NewSecret()).Length);
    }

    [Fact]
    public async Task Enrolment_then_sign_in_asks_for_the_code_and_each_code_works_once()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings());
        var user = await server.RegisterAsync();

        await ProblemAssert.ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/me/totp/confirm", new { code = "123456" }), HttpStatusCode.Conflict, "totp_not_enrolling");
        var enrol = (await (await user.Client.PostAsync("/api/v1/me/totp/enroll", null)).Content.ReadFromJsonAsync<TotpEnrollmentBody>(Json.Options))!;
        Assert.StartsWith("otpauth://totp/Pingvas%20Studio:", enrol.OtpauthUri);
        Assert.Contains($"secret={enrol.Secret}", enrol.OtpauthUri);
        await ProblemAssert.ValidationAsync(await user.Client.PostAsJsonAsync("/api/v1/me/totp/confirm", new { code = "000000" == AdminKit.Code(server, enrol.Secret) ? "111111" : "000000" }), "code");

        // Codes are taken once and reused as strings: a step boundary may pass while the test runs.
        var first = AdminKit.Code(server, enrol.Secret);
        var next = AdminKit.Code(server, enrol.Secret, stepsAhead: 1);
        var confirmed = await user.Client.PostAsJsonAsync("/api/v1/me/totp/confirm", new { code = first });
        var body = (await confirmed.Content.ReadFromJsonAsync<TotpConfirmBody>(Json.Options))!;
        Assert.Equal(10, body.RecoveryCodes.Distinct().Count());
        await ProblemAssert.ReadAsync(await user.Client.PostAsync("/api/v1/me/totp/enroll", null), HttpStatusCode.Conflict, "totp_already_enrolled");

        // Stored hashed: no recovery code and no hash of it in plain form in the database.
        var hashes = await server.QueryAsync(db => db.TotpRecoveryCodes.Where(c => c.UserId == user.Id).Select(c => c.CodeHash).ToListAsync());
        Assert.Equal(10, hashes.Count);
        Assert.DoesNotContain(hashes, h => body.RecoveryCodes.Any(c => h.Contains(Totp.NormalizeRecoveryCode(c), StringComparison.OrdinalIgnoreCase)));

        // The password alone now earns a challenge, not tokens.
        var challenge = await AdminKit.ChallengeTokenAsync(server, user);
        using var anonymous = server.CreateClient();
        await ProblemAssert.ReadAsync(
            await anonymous.PostAsJsonAsync("/api/v1/auth/login/totp", new { challengeToken = challenge, code = first }),
            HttpStatusCode.Unauthorized, "invalid_code");

        var signedIn = await anonymous.PostAsJsonAsync("/api/v1/auth/login/totp", new { challengeToken = challenge, code = next });
        Assert.True(signedIn.StatusCode == HttpStatusCode.OK, await signedIn.Content.ReadAsStringAsync());
        var me = (await signedIn.Content.ReadFromJsonAsync<AuthBody>(Json.Options))!.User;
        Assert.Equal(user.Id, me.Id);
        await ProblemAssert.ReadAsync(
            await anonymous.PostAsJsonAsync("/api/v1/auth/login/totp", new { challengeToken = challenge, code = next }), HttpStatusCode.Unauthorized, "invalid_code");

        // A recovery code works once, typed in any case and with or without its dash.
        var recovery = body.RecoveryCodes[3];
        Assert.Equal(HttpStatusCode.OK, (await AdminKit.SignInWithCodeAsync(server, user, recoveryCode: recovery.Replace("-", "").ToLowerInvariant())).StatusCode);
        await ProblemAssert.ReadAsync(await AdminKit.SignInWithCodeAsync(server, user, recoveryCode: recovery), HttpStatusCode.Unauthorized, "invalid_code");

        await ProblemAssert.ReadAsync(
            await anonymous.PostAsJsonAsync("/api/v1/auth/login/totp", new { challengeToken = user.AccessToken, code = "123456" }), HttpStatusCode.Unauthorized, "invalid_challenge");
        await ProblemAssert.ValidationAsync(await anonymous.PostAsJsonAsync("/api/v1/auth/login/totp", new { challengeToken = challenge }), "code");
    }

    [Fact]
    public async Task Wrong_codes_are_throttled_like_sign_in()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings());
        var user = await server.RegisterAsync();
        await AdminKit.EnrolAsync(server, user);
        var challenge = await AdminKit.ChallengeTokenAsync(server, user);
        using var anonymous = server.CreateClient();
        HttpResponseMessage response;
        var attempts = 0;
        do
        {
            response = await anonymous.PostAsJsonAsync("/api/v1/auth/login/totp", new { challengeToken = challenge, code = "000000" });
            attempts++;
        }
        while (response.StatusCode == HttpStatusCode.Unauthorized && attempts < 50);

        await ProblemAssert.ReadAsync(response, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.NotNull(response.Headers.RetryAfter);
    }
}
