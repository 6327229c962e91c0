using System.Net.Http.Json;

using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;
using Pingvas.Server.Jobs;
using Pingvas.Server.Queue;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// Polling a queued job costs the same with ten or thousands of jobs waiting: its position comes
/// from the queue snapshot, refreshed off the request path, so a request reads only its own rows.
/// Counted in rows read, not timed. No workers run here, so the queue only grows.
/// </summary>
public sealed class QueuePositionCostTests(QueuePositionCostTests.Fixture fixture) : IClassFixture<QueuePositionCostTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;
    private readonly RowCounter counter = fixture.Counter;

    /// <summary>No workers (the queue only grows), a snapshot refreshed every tenth of a second, rows counted.</summary>
    public sealed class Fixture() : ServerFixture(new TestSettings().With("Queue:SnapshotMilliseconds", "100"))
    {
        public RowCounter Counter { get; } = new(new HttpContextAccessor());

        protected override void ConfigureServices(IServiceCollection services)
        {
            RemoteWorker.ReplacePool(services);
            services.ConfigureDbContext<PingvasDb>((_, options) => options.AddInterceptors(Counter));
        }
    }

    [Fact]
    public async Task A_poll_of_a_queued_job_reads_as_many_rows_with_ten_or_thousands_queued()
    {
        var user = await server.RegisterAsync();
        await SeedQueuedJobsAsync(users: 10, jobsEach: 1);
        var job = await user.SubmitAsync(TestUser.Request(steps: 1));

        // Ten other users' jobs, waiting an hour (aged to the top): the user's job is 11th.
        var few = await RowsReadByPollAsync(user, job.Id, expectedPosition: 11);

        // Forty more users with a hundred jobs each: their first jobs go ahead too, 51st; the rest wait behind.
        await SeedQueuedJobsAsync(users: 40, jobsEach: 100);
        var many = await RowsReadByPollAsync(user, job.Id, expectedPosition: 51);

        Assert.Equal(few, many);
        Assert.InRange(many, 1, 10);
    }

    /// <summary>
    /// Polls until the position settles where the queue puts the job (the snapshot refreshes in the
    /// background, at most a tick behind), then counts the rows one more poll reads.
    /// </summary>
    private async Task<long> RowsReadByPollAsync(TestUser user, Guid jobId, int expectedPosition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await user.GetAsync(jobId)).QueuePosition != expectedPosition)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The position never settled at {expectedPosition}.");
            await Task.Delay(150);
        }

        counter.Reset();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/generations/{jobId}") { Headers = { { RowCounter.Header, "on" } } };
        var body = await (await user.Client.SendAsync(request)).Content.ReadFromJsonAsync<GenerationBody>(Json.Options);
        Assert.Equal(expectedPosition, body!.QueuePosition);
        return counter.Rows;
    }

    /// <summary>Users on the Free plan, each with queued jobs older than the test user's, straight into the database.</summary>
    private Task SeedQueuedJobsAsync(int users, int jobsEach) => server.QueryAsync(async db =>
    {
        var now = DateTime.UtcNow.AddHours(-1);
        for (var u = 0; u < users; u++)
        {
            var owner = new User
            {
                Id = Ids.New(),
                Email = $"seed-{Guid.NewGuid():N}@example.com",
                Name = "Seed",
                PasswordHash = "not-a-hash",
                PlanId = "free",
                PeriodStart = now,
                PeriodEnd = now.AddMonths(1),
                CreatedAt = now,
            };
            db.Users.Add(owner);
            await db.SaveChangesAsync();
            for (var j = 0; j < jobsEach; j++)
            {
                db.Jobs.Add(new Job
                {
                    Id = Ids.New(),
                    UserId = owner.Id,
                    Status = JobStatus.Queued,
                    Prompt = "seeded",
                    ModelId = "sd-1.5",
                    Width = 64,
                    Height = 64,
                    Steps = 1,
                    Scheduler = "euler",
                    BatchSize = 1,
                    Priority = 2,
                    ProgressTotal = 1,
                    CreatedAt = now.AddMilliseconds(j),
                });
            }
        }

        return await db.SaveChangesAsync();
    });
}
