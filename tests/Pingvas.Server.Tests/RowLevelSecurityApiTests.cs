using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;


using Pingvas.Server.Data;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// The same through the HTTP API: on this server every command of a signed-in request has its
/// <c>user_id = @…</c> conditions cut out before it reaches PostgreSQL — every endpoint "forgets"
/// its user filter — and each user still gets exactly their own generations, images and ledger.
/// Background work (no request) is left alone.
/// </summary>
public sealed partial class RowLevelSecurityApiTests(RowLevelSecurityApiTests.Fixture fixture) : IClassFixture<RowLevelSecurityApiTests.Fixture>
{
    private readonly ForgetfulLog log = fixture.Log;
    private readonly PingvasServer server = fixture.Server;

    public sealed class Fixture() : ServerFixture(new TestSettings(), postgres: true)
    {
        internal ForgetfulLog Log { get; } = new();

        protected override void ConfigureServices(IServiceCollection services) =>
            services.ConfigureDbContext<PingvasDb>((sp, options) =>
                options.AddInterceptors(new ForgetfulQueries(sp.GetRequiredService<IHttpContextAccessor>(), Log)));
    }

    [Fact]
    public async Task Endpoints_whose_queries_lost_their_user_filter_still_answer_with_the_callers_rows_only()
    {
        var alice = await server.RegisterAsync();
        var bob = await server.RegisterAsync();
        var alicesJob = await alice.GenerateAsync(TestUser.Request(steps: 1, seed: 1));
        var bobsJob = await bob.GenerateAsync(TestUser.Request(steps: 1, seed: 2));

        foreach (var (user, own, other) in new[] { (alice, alicesJob, bobsJob), (bob, bobsJob, alicesJob) })
        {
            Assert.Equal(own.Id, Assert.Single(await ApiChecks.AllAsync<GenerationBody>(user.Client, "/api/v1/generations")).Id);
            Assert.Equal(own.Images.Single().Id, Assert.Single(await ApiChecks.AllAsync<ImageBody>(user.Client, "/api/v1/images")).Id);
            var ledger = await user.LedgerAsync();
            Assert.All(ledger, e => Assert.True(e.JobId is null || e.JobId == own.Id, $"{e.Kind} of job {e.JobId} in the wrong ledger"));
            Assert.Equal(ledger.OrderBy(e => e.Id).Last().BalanceAfter, (await user.MeAsync()).Credits.Balance);
            Assert.Equal(HttpStatusCode.NotFound, (await user.Client.GetAsync($"/api/v1/generations/{other.Id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await user.Client.GetAsync($"/api/v1/images/{other.Images.Single().Id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await user.Client.PostAsync($"/api/v1/generations/{other.Id}/cancel", null)).StatusCode);
        }

        // The filters really were cut: the list query reached PostgreSQL without one.
        Assert.Contains(log.Stripped, sql => sql.Contains("FROM jobs", StringComparison.Ordinal) && sql.Contains("ORDER BY", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Stripped, sql => UserFilter().IsMatch(sql));
    }

    [GeneratedRegex(@"\b\w+\.user_id = @\w+")]
    private static partial Regex UserFilter();

    internal sealed class ForgetfulLog
    {
        private readonly ConcurrentQueue<string> stripped = new();

        public IReadOnlyList<string> Stripped => [.. stripped];

        public void Add(string sql) => stripped.Enqueue(sql);
    }

    /// <summary>
    /// Replaces every <c>x.user_id = @p</c> with TRUE in the commands of a signed-in request, told by
    /// the request itself, not by the tenant service under test. (The queue's cross-user reads use
    /// <c>user_id = ANY (…)</c> and are left as they are.)
    /// </summary>
    internal sealed class ForgetfulQueries(IHttpContextAccessor http, ForgetfulLog log) : DbCommandInterceptor
    {
        public override InterceptionResult<DbDataReader> ReaderExecuting(
            DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result)
        {
            Forget(command);
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Forget(command);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Forget(command);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
            DbCommand command, CommandEventData eventData,
            InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Forget(command);
            return ValueTask.FromResult(result);
        }

        private void Forget(DbCommand command)
        {
            if (http.HttpContext?.User.FindFirst("sub") is not null && UserFilter().IsMatch(command.CommandText))
            {
                command.CommandText = UserFilter().Replace(command.CommandText, "TRUE");
                log.Add(command.CommandText);
            }
        }
    }
}
