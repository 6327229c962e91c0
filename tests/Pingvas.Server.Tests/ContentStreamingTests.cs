using System.Diagnostics;
using System.Net;

using Microsoft.Extensions.DependencyInjection;

using Npgsql;

using Pingvas.Server.Storage;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// <c>GET /images/{id}/content</c> gives its pooled database connection back before it streams: on
/// PostgreSQL (always, whatever PINGVAS_TEST_DATABASE says) with a pool of four, four downloads stalled
/// by clients that never read must not starve the next request.
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
    public async Task Stalled_downloads_do_not_hold_database_connections()
    {
        var user = await server.RegisterAsync();
        var image = (await user.GenerateAsync(TestUser.Request(steps: 1))).Images.Single();

        // Far more than the socket buffers of both ends take in: the server stays mid-stream while nobody reads.
        var large = new byte[48 * 1024 * 1024];
        new Random(7).NextBytes(large);
        await server.Services.GetRequiredService<IObjectStore>().PutAsync(ObjectKeys.Original(user.Id, image.Id), large, "image/png", CancellationToken.None);

        var clients = Enumerable.Range(0, PoolSize).Select(_ => server.CreateClient(user.AccessToken)).ToList();
        var stalled = new List<HttpResponseMessage>();
        try
        {
            using (var headers = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                // Headers back means the handler has read its row and is streaming the body.
                stalled.AddRange(await Task.WhenAll(clients.Select(c =>
                    c.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/images/{image.Id}/content"), HttpCompletionOption.ResponseHeadersRead, headers.Token))));
            }

            Assert.All(stalled, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

            // Every one of them still streaming: another request needs a connection of its own.
            var clock = Stopwatch.StartNew();
            using var probe = await user.Client.GetAsync("/api/v1/me").WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(probe.StatusCode == HttpStatusCode.OK,
                $"GET /me answered {(int)probe.StatusCode} after {clock.Elapsed.TotalSeconds:0.0} s: {await probe.Content.ReadAsStringAsync()}");
            var listed = await user.Client.GetAsync($"/api/v1/images/{image.Id}").WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);

            // The stalled downloads are whole once read.
            var body = await stalled[0].Content.ReadAsByteArrayAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(large.Length, body.Length);
            Assert.Equal(large, body);
        }
        finally
        {
            stalled.ForEach(r => r.Dispose());
            clients.ForEach(c => c.Dispose());
        }
    }
}
