using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Webhooks;

/// <summary>Registering endpoints: CRUD, the secret shown once and kept encrypted, the limit, tenant isolation and the request-forgery guard.</summary>
public sealed class WebhookEndpointTests(WebhookServerFixture fixture) : IClassFixture<WebhookServerFixture>
{
    private PingvasServer Server => fixture.Server;

    [Fact]
    public async Task Endpoints_are_managed_by_their_owner_and_the_secret_is_shown_once()
    {
        var owner = await Server.RegisterAsync();
        var created = await owner.CreateEndpointAsync("https://93.184.215.14/hooks", "generation.succeeded", "credits.low");
        Assert.StartsWith("whsec_", created.Secret);
        Assert.Equal(32, Convert.FromBase64String(created.Secret!["whsec_".Length..]).Length);
        Assert.True(created.Enabled);
        Assert.Equal(["generation.succeeded", "credits.low"], created.Events);

        // Never again in plain text: not on reads, and not at rest.
        var read = (await owner.Client.GetFromJsonAsync<EndpointBody>($"/api/v1/webhook-endpoints/{created.Id}", Json.Options))!;
        Assert.Null(read.Secret);
        Assert.Null(Assert.Single((await owner.Client.GetFromJsonAsync<EndpointList>("/api/v1/webhook-endpoints", Json.Options))!.Items).Secret);
        var stored = await Server.QueryAsync(db => db.WebhookEndpoints.SingleAsync(e => e.Id == created.Id));
        Assert.StartsWith("v2:", stored.Secret); // v2:<signing key id>:<base64>, see WebhookSecrets
        Assert.DoesNotContain(created.Secret!["whsec_".Length..], stored.Secret);

        var patched = await owner.Client.PatchAsJsonAsync($"/api/v1/webhook-endpoints/{created.Id}", new { events = new[] { "generation.failed" }, description = "ops" });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var body = (await patched.Content.ReadFromJsonAsync<EndpointBody>(Json.Options))!;
        Assert.Equal(["generation.failed"], body.Events);
        Assert.Equal("ops", body.Description);

        // Bad input writes nothing.
        await ProblemAssert.ReadAsync(await owner.Client.PostAsJsonAsync("/api/v1/webhook-endpoints", new { url = "https://93.184.215.14/x", events = new[] { "nope" } }),
            HttpStatusCode.BadRequest, "validation_failed");
        await ProblemAssert.ReadAsync(await owner.Client.PostAsJsonAsync("/api/v1/webhook-endpoints", new { url = "https://93.184.215.14/x", events = Array.Empty<string>() }),
            HttpStatusCode.BadRequest, "validation_failed");
        await ProblemAssert.ReadAsync(await owner.Client.PostAsJsonAsync($"/api/v1/webhook-endpoints/{created.Id}/rotate-secret", new { overlapHours = 73 }),
            HttpStatusCode.BadRequest, "validation_failed");
        Assert.Single((await owner.Client.GetFromJsonAsync<EndpointList>("/api/v1/webhook-endpoints", Json.Options))!.Items);

        var rotated = await owner.Client.PostAsJsonAsync($"/api/v1/webhook-endpoints/{created.Id}/rotate-secret", new { overlapHours = 0 });
        var secret = (await rotated.Content.ReadFromJsonAsync<SecretBody>(Json.Options))!.Secret;
        Assert.StartsWith("whsec_", secret);
        Assert.NotEqual(created.Secret, secret);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/webhook-endpoints/{created.Id}")).StatusCode);
        await ProblemAssert.ReadAsync(await owner.Client.GetAsync($"/api/v1/webhook-endpoints/{created.Id}"), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Another_users_endpoints_and_deliveries_answer_404()
    {
        var owner = await Server.RegisterAsync();
        var stranger = await Server.RegisterAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await owner.CreateEndpointAsync(receiver.Url());
        var delivery = await owner.SendTestAsync(endpoint.Id);
        await owner.WaitForDeliveryAsync(endpoint.Id, delivery, d => d.Status == "delivered", "the test event should be delivered");

        var routes = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, $"/api/v1/webhook-endpoints/{endpoint.Id}", null),
            (HttpMethod.Patch, $"/api/v1/webhook-endpoints/{endpoint.Id}", new { description = "mine now" }),
            (HttpMethod.Delete, $"/api/v1/webhook-endpoints/{endpoint.Id}", null),
            (HttpMethod.Post, $"/api/v1/webhook-endpoints/{endpoint.Id}/rotate-secret", new { }),
            (HttpMethod.Post, $"/api/v1/webhook-endpoints/{endpoint.Id}/test", null),
            (HttpMethod.Get, $"/api/v1/webhook-endpoints/{endpoint.Id}/deliveries", null),
            (HttpMethod.Post, $"/api/v1/webhook-deliveries/{delivery}/redeliver", null),
            (HttpMethod.Get, $"/api/v1/webhook-endpoints/{Guid.NewGuid()}", null),
        };
        foreach (var (method, path, body) in routes)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            await ProblemAssert.ReadAsync(await stranger.Client.SendAsync(request), HttpStatusCode.NotFound, "not_found");
        }

        Assert.Empty((await stranger.Client.GetFromJsonAsync<EndpointList>("/api/v1/webhook-endpoints", Json.Options))!.Items);
        var still = (await owner.Client.GetFromJsonAsync<EndpointBody>($"/api/v1/webhook-endpoints/{endpoint.Id}", Json.Options))!;
        Assert.Null(still.Description);
        Assert.Single(receiver.Received);

        // Each account has its own default secret.
        var mine = (await owner.Client.GetFromJsonAsync<SecretBody>("/api/v1/webhooks/default/secret", Json.Options))!.Secret;
        var theirs = (await stranger.Client.GetFromJsonAsync<SecretBody>("/api/v1/webhooks/default/secret", Json.Options))!.Secret;
        Assert.NotEqual(mine, theirs);
        Assert.Equal(mine, (await owner.Client.GetFromJsonAsync<SecretBody>("/api/v1/webhooks/default/secret", Json.Options))!.Secret);
        using var anonymous = Server.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/webhook-endpoints")).StatusCode);
    }

    [Fact]
    public async Task A_user_keeps_at_most_ten_endpoints()
    {
        var user = await Server.RegisterAsync();
        for (var i = 0; i < 10; i++)
        {
            await user.CreateEndpointAsync($"https://93.184.215.14/hook/{i}");
        }

        await ProblemAssert.ReadAsync(await user.Client.PostAsJsonAsync("/api/v1/webhook-endpoints", new { url = "https://93.184.215.14/11", events = new[] { "credits.low" } }),
            HttpStatusCode.Conflict, "webhook_endpoint_limit");
    }

    [Fact]
    public async Task Private_addresses_credentials_and_other_schemes_are_refused_at_registration()
    {
        var user = await Server.RegisterAsync();
        Server.Targets().AllowPrivateTargets = false;
        try
        {
            string[] refused =
            [
                "http://127.0.0.1:8080/hook", "http://localhost:8080/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest/meta-data",
                "http://[::1]/hook", "http://[::ffff:127.0.0.1]/hook", "http://192.168.0.10/hook", "http://100.64.0.1/hook", "http://[fd00:ec2::254]/hook",
                "https://user:pass@93.184.215.14/hook", "ftp://93.184.215.14/hook", "not a url",
            ];
            foreach (var url in refused)
            {
                var response = await user.Client.PostAsJsonAsync("/api/v1/webhook-endpoints", new { url, events = new[] { "generation.succeeded" } });
                var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.BadRequest, "webhook_url_forbidden");
                Assert.NotNull(problem);
            }

            // Nothing was written; a PATCH to such a URL is refused too, and a public address is fine.
            Assert.Empty((await user.Client.GetFromJsonAsync<EndpointList>("/api/v1/webhook-endpoints", Json.Options))!.Items);
            var endpoint = await user.CreateEndpointAsync("https://93.184.215.14/hook");
            await ProblemAssert.ReadAsync(await user.Client.PatchAsJsonAsync($"/api/v1/webhook-endpoints/{endpoint.Id}", new { url = "http://10.0.0.1/" }),
                HttpStatusCode.BadRequest, "webhook_url_forbidden");
        }
        finally
        {
            Server.Targets().AllowPrivateTargets = true;
        }
    }

    [Fact]
    public async Task A_private_target_is_refused_at_connect_time()
    {
        var user = await Server.RegisterAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = await user.CreateEndpointAsync(receiver.Url("/private"));

        // A name, not an address, that resolves to 127.0.0.1 (as a rebinding name would by the time of the call).
        var named = await user.CreateEndpointAsync(new UriBuilder(receiver.Url("/named")) { Host = "localhost" }.Uri.ToString());
        Server.Targets().AllowPrivateTargets = false;
        try
        {
            foreach (var id in new[] { endpoint.Id, named.Id })
            {
                var delivery = await user.SendTestAsync(id);
                var failed = await user.WaitForDeliveryAsync(id, delivery, d => d.Attempts >= 1, "the attempt should be made and refused");
                Assert.Equal("pending", failed.Status);
                Assert.StartsWith("webhook_url_forbidden", failed.LastError);
                Assert.StartsWith("webhook_url_forbidden", Assert.Single(failed.AttemptsLog).Error);
                Assert.Null(failed.LastStatusCode);
            }

            Assert.Empty(receiver.Received);
        }
        finally
        {
            Server.Targets().AllowPrivateTargets = true;
        }
    }
}
