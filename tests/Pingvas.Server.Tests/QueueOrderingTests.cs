using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>The queue's rules seen end to end: plan priority, fairness between users, per-user running limits.</summary>
public sealed class QueueOrderingTests(QueueOrderingTests.Fixture fixture) : IClassFixture<QueueOrderingTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;

    public sealed class Fixture() : ServerFixture(new TestSettings { StepDelayMs = 40, WorkerConcurrency = 1 });

    [Fact]
    public async Task Higher_plans_go_first_and_users_of_one_plan_take_turns()
    {
        var blocker = await server.RegisterAsync();
        var a = await server.RegisterAsync();
        var b = await server.RegisterAsync();
        var pro = await server.RegisterAsync();
        await server.SetPlanAsync(pro.Id, "pro");

        // Occupy the only worker so everything below waits in the queue together.
        var first = await blocker.SubmitAsync(TestUser.Request(steps: 100));
        await blocker.WaitForAsync(first.Id, "running");
        var a1 = await a.SubmitAsync(TestUser.Request(steps: 1));
        var a2 = await a.SubmitAsync(TestUser.Request(steps: 1));
        var a3 = await a.SubmitAsync(TestUser.Request(steps: 1));
        var b1 = await b.SubmitAsync(TestUser.Request(steps: 1));
        var p1 = await pro.SubmitAsync(TestUser.Request(steps: 1));

        // Positions while waiting: Pro first, then A and B alternate (A's backlog does not push B back).
        // They come from a queue snapshot at most a second old, so they settle within about a second.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        int[] positions;
        while (true)
        {
            positions =
            [
                (await pro.GetAsync(p1.Id)).QueuePosition ?? 0,
                (await a.GetAsync(a1.Id)).QueuePosition ?? 0,
                (await b.GetAsync(b1.Id)).QueuePosition ?? 0,
                (await a.GetAsync(a2.Id)).QueuePosition ?? 0,
                (await a.GetAsync(a3.Id)).QueuePosition ?? 0,
            ];
            if (positions.SequenceEqual([1, 2, 3, 4, 5]) || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal([1, 2, 3, 4, 5], positions);

        foreach (var (user, id) in new[] { (a, a1.Id), (a, a2.Id), (a, a3.Id), (b, b1.Id), (pro, p1.Id) })
        {
            await user.WaitForAsync(id);
        }

        var started = await server.QueryAsync(db => db.Jobs
            .Where(j => j.Id != first.Id)
            .Select(j => new { j.Id, j.StartedAt })
            .ToListAsync());
        var order = started.OrderBy(j => j.StartedAt).Select(j => j.Id).ToList();
        Assert.Equal([p1.Id, a1.Id, b1.Id, a2.Id, a3.Id], order);
    }

    [Fact]
    public async Task Studio_runs_three_jobs_at_once_and_free_runs_one()
    {
        // Its own server: four workers, and it watches every job in the database.
        await using var wide = await PingvasServer.StartAsync(new TestSettings { StepDelayMs = 40, WorkerConcurrency = 4 });
        var studio = await wide.RegisterAsync();
        var free = await wide.RegisterAsync();
        await wide.SetPlanAsync(studio.Id, "studio");

        var studioJobs = new List<GenerationBody>();
        for (var i = 0; i < 5; i++)
        {
            studioJobs.Add(await studio.SubmitAsync(TestUser.Request(steps: 30)));
        }

        var freeJobs = new[] { await free.SubmitAsync(TestUser.Request(steps: 30)), await free.SubmitAsync(TestUser.Request(steps: 30)) };

        var maxStudio = 0;
        var maxFree = 0;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var running = await wide.QueryAsync(db => db.Jobs.Where(j => j.Status == Pingvas.Server.Jobs.JobStatus.Running)
                .GroupBy(j => j.UserId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync());
            maxStudio = Math.Max(maxStudio, running.SingleOrDefault(r => r.Key == studio.Id)?.Count ?? 0);
            maxFree = Math.Max(maxFree, running.SingleOrDefault(r => r.Key == free.Id)?.Count ?? 0);
            if (await wide.QueryAsync(db => db.Jobs.AllAsync(j => j.Status == Pingvas.Server.Jobs.JobStatus.Succeeded)))
            {
                break;
            }

            await Task.Delay(30);
        }

        Assert.Equal(3, maxStudio);
        Assert.Equal(1, maxFree);
        foreach (var job in studioJobs)
        {
            Assert.Equal("succeeded", (await studio.WaitForAsync(job.Id)).Status);
        }

        foreach (var job in freeJobs)
        {
            Assert.Equal("succeeded", (await free.WaitForAsync(job.Id)).Status);
        }
    }
}
