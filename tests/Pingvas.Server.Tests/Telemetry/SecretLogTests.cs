using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Billing;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Telemetry;

/// <summary>
/// The logs of a real run keep no secret. An api and a worker process (their default JSON console
/// logs, at Debug) with every configured secret set to a fresh random value; the test signs up,
/// verifies, signs in with the password, refreshes, makes an API key and a webhook endpoint, resets the
/// password through the emailed link, generates with the key and posts a signed billing webhook.
/// Then every line both processes wrote must be JSON, request logs must carry a TraceId, and no
/// secret the run used may appear anywhere.
/// </summary>
[Collection(ProcessTests.Collection)]
public sealed class SecretLogTests
{
    [Fact]
    public async Task A_run_with_every_secret_in_use_logs_json_with_trace_ids_and_no_secret()
    {
        var secrets = new Dictionary<string, string>();
        string Secret(string name, string prefix = "")
        {
            secrets[name] = prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            return secrets[name];
        }

        var smtpUser = "mailer";
        await using var smtp = await SmtpServer.StartAsync(user: smtpUser, password: Secret("SMTP password"));
        var settings = smtp.AppSettings(smtpUser, secrets["SMTP password"]).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
        settings["Auth__SigningKey"] = Secret("signing key");
        settings["Billing__Stripe__WebhookSecret"] = Secret("Stripe webhook secret", "whsec_");
        settings["Billing__Stripe__SecretKey"] = Secret("Stripe secret key", "sk_test_");
        settings["Billing__LemonSqueezy__SigningSecret"] = Secret("Lemon Squeezy signing secret");
        settings["Auth__Google__ClientId"] = "pingvas-test.apps.googleusercontent.com";
        settings["Auth__Google__ClientSecret"] = Secret("Google client secret");
        // The endpoint below is on loopback (nothing listens there: deliveries are attempted, signed, and fail).
        settings["Webhooks__AllowPrivateTargets"] = "true";
        settings["Logging__LogLevel__Default"] = "Debug";
        settings["Logging__LogLevel__Microsoft.AspNetCore"] = "Debug";
        await using var cluster = await PingvasCluster.StartAsync(apis: 1, workers: 1, settings);
        var api = cluster.Apis[0];
        using var anonymous = api.CreateClient();

        // Sign up, verify the address from the welcome email (the Free credits), sign in with the password, refresh.
        var email = $"secrets-{Guid.NewGuid():N}@example.com";
        var registered = await ReadAsync<JsonObject>(await anonymous.PostAsJsonAsync("/api/v1/auth/register", new { email, password = Secret("password"), name = "Secret Keeper" }), HttpStatusCode.Created);
        Keep(secrets, "register access token", registered["accessToken"]);
        Keep(secrets, "register refresh token", registered["refreshToken"]);
        var welcome = (await smtp.WaitForAsync(email)).Single();
        secrets["verification token"] = welcome.TokenFor("/verify-email");
        await ReadAsync<JsonObject>(await anonymous.PostAsJsonAsync("/api/v1/auth/verify-email", new { token = secrets["verification token"] }), HttpStatusCode.OK);
        var signedIn = await ReadAsync<JsonObject>(await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email, password = secrets["password"] }), HttpStatusCode.OK);
        Keep(secrets, "login access token", signedIn["accessToken"]);
        Keep(secrets, "login refresh token", signedIn["refreshToken"]);
        var refreshed = await ReadAsync<JsonObject>(await anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = secrets["login refresh token"] }), HttpStatusCode.OK);
        Keep(secrets, "refreshed access token", refreshed["accessToken"]);
        Keep(secrets, "refreshed refresh token", refreshed["refreshToken"]);
        var userId = Guid.Parse(registered["user"]!["id"]!.GetValue<string>());
        using var user = api.CreateClient(secrets["refreshed access token"]);

        // What a browser's SignalR WebSocket sends: the access token in the query string (headers are not possible there).
        using (var hub = await anonymous.GetAsync($"/hubs/progress?id=none&access_token={secrets["refreshed access token"]}"))
        {
            Assert.NotEqual(HttpStatusCode.OK, hub.StatusCode);
        }

        // The API is a Starter feature: the plan set in the database, as an operator's billing would.
        await using (var db = cluster.OpenDb())
        {
            await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.PlanId, "starter"));
        }

        var key = await ReadAsync<JsonObject>(await user.PostAsJsonAsync("/api/v1/keys", new { name = "script", scopes = new[] { "generate", "read", "webhooks" } }), HttpStatusCode.Created);
        Keep(secrets, "API key", key["key"]);
        var endpoint = await ReadAsync<JsonObject>(await user.PostAsJsonAsync("/api/v1/webhook-endpoints", new { url = "http://127.0.0.1:9/pingvas-hook", events = new[] { "generation.succeeded" } }), HttpStatusCode.Created);
        Keep(secrets, "webhook secret", endpoint["secret"]);
        Assert.StartsWith("whsec_", secrets["webhook secret"], StringComparison.Ordinal);

        // A generation submitted with the API key, run by the worker process.
        using var keyClient = api.CreateClient(secrets["API key"]);
        var submitted = await ReadAsync<JsonObject>(await keyClient.PostAsJsonAsync("/api/v1/generations", TestUser.Request(steps: 3, seed: 8)), HttpStatusCode.Accepted);
        var job = await new ClusterUser(userId, secrets["refreshed access token"]).WaitForTerminalAsync(api, Guid.Parse(submitted["id"]!.GetValue<string>()), ProcessTests.Bounded, cluster.Describe);
        Assert.Equal("succeeded", job.Status);

        // Forgot password: the emailed token sets a new one.
        Assert.Equal(HttpStatusCode.Accepted, (await anonymous.PostAsJsonAsync("/api/v1/auth/password-reset", new { email })).StatusCode);
        // Other mail (a low-credit notice) may arrive meanwhile: the reset is the one with its link.
        static bool IsReset(ReceivedEmail m) => m.Text.Contains("/reset-password?token=", StringComparison.Ordinal);
        await Eventually.UntilAsync(() => Task.FromResult(smtp.MessagesTo(email).Any(IsReset)), ProcessTests.Bounded, "the password reset email");
        secrets["reset token"] = smtp.MessagesTo(email).Single(IsReset).TokenFor("/reset-password");
        await ReadAsync<JsonObject>(await anonymous.PostAsJsonAsync("/api/v1/auth/password-reset/confirm", new { token = secrets["reset token"], password = Secret("new password") }), HttpStatusCode.OK);

        // A billing webhook signed with the configured secret (an event type we do not act on: verified, recorded, ignored).
        var billing = new JsonObject { ["id"] = $"evt_{Guid.NewGuid():N}", ["object"] = "event", ["type"] = "customer.created", ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["data"] = new JsonObject { ["object"] = new JsonObject { ["id"] = "cus_123", ["object"] = "customer" } } }.ToJsonString();
        using (var hook = new HttpRequestMessage(HttpMethod.Post, "/api/v1/webhooks/stripe") { Content = new StringContent(billing, Encoding.UTF8, "application/json") })
        {
            hook.Headers.TryAddWithoutValidation("Stripe-Signature", await StripeSigner.HeaderAsync(billing, secrets["Stripe webhook secret"], DateTimeOffset.UtcNow));
            var answer = await anonymous.SendAsync(hook);
            Assert.True(answer.StatusCode == HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
        }

        // SIGTERM: each process drains and flushes its console log before the files are read.
        foreach (var process in cluster.Apis.Concat(cluster.Workers))
        {
            await process.StopAsync(TimeSpan.FromSeconds(30));
        }

        // ReadLog flushes the test's buffered copy of the output; the whole file is read after.
        var lines = cluster.Apis.Concat(cluster.Workers).Select(p => (p, p.ReadLog())).SelectMany(x => ReadAll(x.p.LogPath).Select(line => (x.p.Role, Line: line))).Where(l => l.Line.Length > 0).ToList();
        Assert.True(lines.Count > 50, $"Only {lines.Count} log lines: is Debug logging on?");
        var requestLogs = 0;
        foreach (var (role, line) in lines)
        {
            JsonObject entry;
            try
            {
                entry = JsonNode.Parse(line)!.AsObject();
            }
            catch (JsonException)
            {
                Assert.Fail($"A {role} log line is not JSON: {line}");
                return;
            }

            Assert.True(entry.ContainsKey("LogLevel") && entry.ContainsKey("Category") && entry.ContainsKey("Message"), line);
            // A line logged while serving a request has ASP.NET Core's request scope (RequestId, RequestPath).
            var scopes = entry["Scopes"]?.AsArray() ?? [];
            if (scopes.Any(s => s?["RequestId"] is not null))
            {
                requestLogs++;
                Assert.True(scopes.Any(s => s?["TraceId"]?.GetValue<string>() is { Length: 32 }), $"A request log without a TraceId: {line}");
            }
        }

        Assert.True(requestLogs > 10, $"Only {requestLogs} request log lines.");
        // The hub request is logged, its query values redacted (LoggingQueryRedaction).
        Assert.Contains(lines, l => l.Line.Contains("/hubs/progress?id=*&access_token=*", StringComparison.Ordinal));
        var leaks = secrets.SelectMany(s => lines.Where(l => l.Line.Contains(s.Value, StringComparison.Ordinal)).Select(l => $"{s.Key} in the {l.Role} log: {l.Line}")).ToList();
        Assert.True(leaks.Count == 0, string.Join("\n", leaks.Take(10)));
    }

    private static string[] ReadAll(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd().Split('\n');
    }

    private static void Keep(Dictionary<string, string> secrets, string name, JsonNode? value)
    {
        var text = value?.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(text), $"The answer had no {name}.");
        secrets[name] = text!;
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<T>(text)!;
    }
}
