using System.Net;

using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests;

/// <summary>
/// Several deletes of one image at once, to the trash and then from it: each time one 204, the rest 404,
/// never a 500; the objects stay in the trash and are gone after the permanent delete.
/// </summary>
public sealed class ConcurrentImageDeleteTests : IAsyncLifetime
{
    private const int Parallel = 8;

    private PingvasServer server = null!;

    public async Task InitializeAsync() => server = await PingvasServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Parallel_trash_and_permanent_deletes_of_one_image_give_one_204_and_404s()
    {
        var user = await server.RegisterAsync();
        await server.SetPlanAsync(user.Id, "starter");

        // A few rounds, each on a fresh image, so the race is hit whatever the scheduling.
        var images = (await user.GenerateAsync(TestUser.Request(steps: 1, batchSize: 3))).Images;
        var clients = Enumerable.Range(0, Parallel).Select(_ => server.CreateClient(user.AccessToken)).ToList();
        try
        {
            // Open every client's connection first, so the deletes leave together.
            await Task.WhenAll(clients.Select(c => c.GetAsync("/api/v1/me")));
            foreach (var image in images)
            {
                var files = ObjectFiles(server, user.Id, image.Id);
                Assert.All(files, f => Assert.True(File.Exists(f)));

                await RaceAsync(clients, $"/api/v1/images/{image.Id}");
                Assert.All(files, f => Assert.True(File.Exists(f), $"{f} should stay while the image is in the trash."));
                await RaceAsync(clients, $"/api/v1/images/{image.Id}?permanent=true");
                Assert.All(files, f => Assert.False(File.Exists(f), $"{f} is still on disk."));
                await AssertProblemAsync(await user.Client.GetAsync($"/api/v1/images/{image.Id}"), HttpStatusCode.NotFound, "not_found");
            }

            Assert.Empty(await AllAsync<ImageBody>(user.Client, "/api/v1/images"));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Sends the delete from every client at once: exactly one 204, the others 404 image_not_found.</summary>
    private static async Task RaceAsync(List<HttpClient> clients, string path)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deletes = clients.Select(async c =>
        {
            await start.Task;
            return await c.DeleteAsync(path);
        }).ToList();
        start.SetResult();
        var responses = await Task.WhenAll(deletes);

        var statuses = responses.Select(r => (int)r.StatusCode).Order().ToList();
        Assert.True(statuses.Count(s => s == 204) == 1 && statuses.Count(s => s == 404) == Parallel - 1, $"{path}: {string.Join(", ", statuses)}");
        foreach (var response in responses.Where(r => r.StatusCode == HttpStatusCode.NotFound))
        {
            await AssertProblemAsync(response, HttpStatusCode.NotFound, "image_not_found");
        }
    }
}
