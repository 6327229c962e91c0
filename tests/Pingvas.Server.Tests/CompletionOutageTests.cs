using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// The database refuses a job's completion as an outage would (PostgreSQL, always): the images the
/// worker already stored are deleted, the job stays under its lease, runs again once the lease
/// runs out, and ends with exactly its own images kept and one charge.
/// </summary>
public sealed class CompletionOutageTests
{
    [Fact]
    public async Task Images_stored_for_a_completion_the_database_refused_are_deleted()
    {
        await using var server = await PingvasServer.StartAsync(
            new TestSettings { StepDelayMs = 20, LeaseSeconds = 2, RetryBackoffSeconds = 1 },
            database: await TestDatabase.CreatePostgresAsync());
        var user = await server.RegisterAsync();

        // Every insert of an image fails as if the server were shutting down (SQLSTATE 57P03), once.
        await server.QueryAsync(db => db.Database.ExecuteSqlRawAsync("""
            CREATE SEQUENCE refusals;
            CREATE FUNCTION refuse_once() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                -- A sequence, because the failing transaction rolls back everything else.
                IF nextval('refusals') = 1 THEN
                    RAISE EXCEPTION 'the database is shutting down' USING ERRCODE = '57P03';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_images BEFORE INSERT ON images FOR EACH ROW EXECUTE FUNCTION refuse_once();
            """));

        var job = await user.SubmitAsync(TestUser.Request(steps: 3, batchSize: 1));
        var done = await user.WaitForAsync(job.Id);

        Assert.True(done.Status == "succeeded", $"{done.Status}: {done.Error?.Code} {done.Error?.Message}");
        Assert.Equal(2, await server.QueryAsync(db => db.Jobs.Where(j => j.Id == job.Id).Select(j => j.Attempt).SingleAsync()));
        Assert.Equal(2, await server.QueryAsync(db => db.Database.SqlQueryRaw<long>("SELECT last_value AS \"Value\" FROM refusals").SingleAsync()));

        // Only the kept image's three objects are left: the refused attempt's were deleted.
        var image = Assert.Single(done.Images);
        var folder = Path.Combine(server.DataPath, "objects", "users", user.Id.ToString("N"), "images");
        Assert.Equal(ApiChecks.ObjectFiles(server, user.Id, image.Id).Order(), Directory.GetFiles(folder).Order());

        var ledger = await user.LedgerAsync();
        Assert.Single(ledger, e => e.Kind == "charge" && e.JobId == job.Id);
        Assert.Equal((await user.MeAsync()).Credits.Balance, ledger.Sum(e => e.Amount));
    }
}
