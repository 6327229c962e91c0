using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Npgsql;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// Sign-up when PostgreSQL refuses the insert (always on PostgreSQL, whatever PINGVAS_TEST_DATABASE
/// says): an outage is 503 unavailable, never 409 email_taken; only a real duplicate is 409.
/// </summary>
public sealed class RegisterOutageTests : IAsyncLifetime
{
    private const string Password = "correct horse battery";
    private PingvasServer server = null!;
    private HttpClient anonymous = null!;

    public async Task InitializeAsync()
    {
        server = await PingvasServer.StartAsync(database: await TestDatabase.CreatePostgresAsync());
        anonymous = server.CreateClient();
    }

    public async Task DisposeAsync()
    {
        anonymous.Dispose();
        await server.DisposeAsync();
    }

    /// <param name="sqlState">
    /// Both are outages to Data/DatabaseOutage. 57P03 (cannot_connect_now) is transient to Npgsql, so
    /// EF wraps its DbUpdateException in the InvalidOperationException of its execution strategy;
    /// 57P04 (database_dropped) is not, and arrives as a bare DbUpdateException — the case the
    /// catch-all in Register used to answer 409 email_taken.
    /// </param>
    [Theory]
    [InlineData("57P03")]
    [InlineData("57P04")]
    public async Task A_database_that_cannot_take_the_insert_is_503_unavailable_not_email_taken(string sqlState)
    {
        var email = NewEmail();
        await SqlAsync($"""
            CREATE FUNCTION test_outage() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'the database is going away' USING ERRCODE = '{sqlState}'; END $$;
            CREATE TRIGGER test_outage BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION test_outage();
            """);

        var response = await RegisterAsync(email);

        var problem = await ProblemAssert.ReadAsync(response, HttpStatusCode.ServiceUnavailable, "unavailable");
        Assert.Null(problem.Detail);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.False(await server.QueryDbAsync(db => db.Users.AnyAsync(u => u.Email == email)));

        // Once the database takes inserts again the same email registers, and only then is it taken.
        await SqlAsync("DROP TRIGGER test_outage ON users; DROP FUNCTION test_outage();");
        Assert.Equal(HttpStatusCode.Created, (await RegisterAsync(email)).StatusCode);
        await ProblemAssert.ReadAsync(await RegisterAsync(email), HttpStatusCode.Conflict, "email_taken");
    }

    [Fact]
    public async Task A_duplicate_caught_by_the_unique_index_is_still_409_email_taken()
    {
        // Inserts wait a moment, so simultaneous registrations all pass the existence check and the
        // unique index decides: the losers' unique violation must still answer email_taken.
        await SqlAsync("""
            CREATE FUNCTION test_slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END $$;
            CREATE TRIGGER test_slow_insert BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION test_slow_insert();
            """);
        var email = NewEmail();

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RegisterAsync(email)));

        Assert.Single(answers, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var refused in answers.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await ProblemAssert.ReadAsync(refused, HttpStatusCode.Conflict, "email_taken");
        }

        Assert.Equal(1, await server.QueryDbAsync(db => db.Users.CountAsync(u => u.Email == email)));
    }

    private Task<HttpResponseMessage> RegisterAsync(string email) =>
        anonymous.PostAsJsonAsync("/api/v1/auth/register", new { email, password = Password, name = "N" });

    private async Task SqlAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(server.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string NewEmail() => $"user-{Guid.NewGuid():N}@example.com";
}
