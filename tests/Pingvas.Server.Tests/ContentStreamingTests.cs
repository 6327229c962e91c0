using System.Diagnostics;
using System.Net;

using Microsoft.Extensions.DependencyInjection;

using Npgsql;

using Pingvas.Server.Storage;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// Downloads give their pooled database connection back before they stream (<c>GET /images/{id}/content</c>,
/// and signed file links fetched with a bearer token): on PostgreSQL (always, whatever
/// PINGVAS_TEST_DATABASE says) with a pool of four, four downloads stalled by clients that never read
/// must not starve the next request.
/// </summary>
public sealed class ContentStreamingTests : IAsyncLifetime
{
    private const int PoolSize = 4;

    private PingvasServer server = null!;

    public async Task InitializeAsync()
    {
        var database = await TestDatabase.CreatePostgresAsync();

        // A small pool that gives up quickly: a request that finds it empty fails in two seconds.
        var connection = new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = PoolSize, Timeout = 2 }.ConnectionString;
        server = await PingvasServer.StartAsync(new Dictionary<string, string> { ["ConnectionStrings:Database"] = connection }, database: database);
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Stalled_content_downloads_do_not_hold_database_connections()
    {
        var (user, image, large) = await LargeImageAsync();
        await StallThenProbeAsync(user, $"/api/v1/images/{image.Id}/content", large);
    }

    [Fact]
    public async Task Stalled_signed_url_downloads_by_clients_that_send_their_token_do_not_hold_database_connections()
    {
        // An SDK that sends its Authorization header to every URL of the API, signed file links included.
        var (user, image, large) = await LargeImageAsync();
        await StallThenProbeAsync(user, image.Url, large);
    }

    private async Task<(TestUser User, ImageRefBody Image, byte[] Large)> LargeImageAsync()
    {
        var user = await server.RegisterAsync();
        var image = (await user.GenerateAsync(TestUser.Request(steps: 1))).Images.Single();

        // Far more than the socket buffers of both ends take in: the server stays mid-stream while nobody reads.
        var large = new byte[48 * 1024 * 1024];
        new Random(7).NextBytes(large);
        await server.Services.GetRequiredService<IObjectStore>().PutAsync(ObjectKeys.Original(user.Id, image.Id), large, "image/png", CancellationToken.None);
        return (user, image, large);
    }

    /// <summary>Starts as many downloads of <paramref name="url"/> as the pool has connections, reads none, then needs the API.</summary>
    private async Task StallThenProbeAsync(TestUser user, string url, byte[] large)
    {
        var clients = Enumerable.Range(0, PoolSize).Select(_ => server.CreateClient(user.AccessToken)).ToList();
        var stalled = new List<HttpResponseMessage>();
        try
        {
            using (var headers = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                // Headers back means the handler is past its database work and streaming the body.
                stalled.AddRange(await Task.WhenAll(clients.Select(c =>
                    c.SendAsync(new HttpRequestMessage(HttpMethod.Get, url), HttpCompletionOption.ResponseHeadersRead, headers.Token))));
            }

            Assert.All(stalled, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

            // Every one of them still streaming: another request needs a connection of its own.
            var clock = Stopwatch.StartNew();
            using var probe = await user.Client.GetAsync("/api/v1/me").WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(probe.StatusCode == HttpStatusCode.OK,
                $"GET /me answered {(int)probe.StatusCode} after {clock.Elapsed.TotalSeconds:0.0} s: {await probe.Content.ReadAsStringAsync()}");
            using var gallery = await user.Client.GetAsync("/api/v1/images").WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(HttpStatusCode.OK, gallery.StatusCode);

            // The stalled downloads are whole once read.
            var body = await stalled[0].Content.ReadAsByteArrayAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(large, body);
        }
        finally
        {
            stalled.ForEach(r => r.Dispose());
            clients.ForEach(c => c.Dispose());
        }
    }
}
