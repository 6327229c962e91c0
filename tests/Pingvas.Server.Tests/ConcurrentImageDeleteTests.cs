using System.Net;

using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests;

/// <summary>Several deletes of one image at once: one 204, the rest 404, never a 500, and the objects gone.</summary>
public sealed class ConcurrentImageDeleteTests : IAsyncLifetime
{
    private const int Parallel = 8;

    private PingvasServer server = null!;

    public async Task InitializeAsync() => server = await PingvasServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Parallel_deletes_of_one_image_give_one_204_and_404s()
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

                var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var deletes = clients.Select(async c =>
                {
                    await start.Task;
                    return await c.DeleteAsync($"/api/v1/images/{image.Id}");
                }).ToList();
                start.SetResult();
                var responses = await Task.WhenAll(deletes);

                var statuses = responses.Select(r => (int)r.StatusCode).Order().ToList();
                Assert.True(statuses.Count(s => s == 204) == 1 && statuses.Count(s => s == 404) == Parallel - 1, $"Statuses: {string.Join(", ", statuses)}");
                foreach (var response in responses.Where(r => r.StatusCode == HttpStatusCode.NotFound))
                {
                    await AssertProblemAsync(response, HttpStatusCode.NotFound, "not_found");
                }

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
}
