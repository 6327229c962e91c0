using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// PostgreSQL restarts under a running server: requests get 503 problems while it is down, the
/// server recovers by itself, and every queued and running job still completes, charged once.
/// Runs on its own cluster so the other tests' database keeps running.
/// </summary>
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task A_database_restart_answers_503_meanwhile_and_loses_no_job()
    {
        var connection = await SparePostgres.CreateDatabaseAsync();
        try
        {
            await RestartUnderLoadAsync(connection);
        }
        finally
        {
            await TestDatabase.DropDatabaseAsync(SparePostgres.AdminConnectionString, new Npgsql.NpgsqlConnectionStringBuilder(connection).Database!);
        }
    }

    private static async Task RestartUnderLoadAsync(string connection)
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings { StepDelayMs = 100, LeaseSeconds = 3, RetryBackoffSeconds = 1 }
            .With("Database:Provider", "postgres")
            .With("ConnectionStrings:Database", connection));
        var user = await server.RegisterAsync();
        var running = await user.SubmitAsync(TestUser.Request(steps: 40));
        var queued = await user.SubmitAsync(TestUser.Request(steps: 5, seed: 9));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await user.GetAsync(running.Id)).Progress.Step < 5)
        {
            Assert.True(DateTime.UtcNow < deadline, "The job never started.");
            await Task.Delay(50);
        }

        await SparePostgres.StopAsync();
        try
        {
            var response = await user.Client.GetAsync("/api/v1/me");
            var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.ServiceUnavailable, "unavailable");
            Assert.Null(problem.Detail);
            Assert.NotNull(response.Headers.RetryAfter);
            var submit = await user.Client.PostAsJsonAsync("/api/v1/generations", TestUser.Request());
            await ProblemAssert.ReadAsync(submit, HttpStatusCode.ServiceUnavailable, "unavailable");
            // The outage lasts a while on purpose, so the running job keeps rendering against a
            // database that is gone: a duration, not a condition to poll.
            await Task.Delay(1500);
        }
        finally
        {
            await SparePostgres.StartAsync();
        }

        // Recovers by itself: the pool drops its broken connections and requests succeed again.
        deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await user.Client.GetAsync("/api/v1/me")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "The API did not recover from the database restart.");
            await Task.Delay(200);
        }

        var first = await user.WaitForAsync(running.Id);
        var second = await user.WaitForAsync(queued.Id);
        Assert.Equal("succeeded", first.Status);
        Assert.Equal("succeeded", second.Status);
        var ledger = await user.LedgerAsync();
        foreach (var job in new[] { first, second })
        {
            Assert.Single(ledger, e => e.Kind == "reserve" && e.JobId == job.Id);
            Assert.Equal(-job.CreditsCharged, Assert.Single(ledger, e => e.Kind == "charge" && e.JobId == job.Id).Amount);
        }

        var me = await user.MeAsync();
        Assert.Equal(0, me.Credits.Reserved);
        Assert.Equal(me.Credits.Balance, ledger.Sum(e => e.Amount));
    }
}
