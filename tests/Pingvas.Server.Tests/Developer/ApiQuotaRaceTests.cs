using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Developer;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Developer;

/// <summary>
/// Two API processes on one PostgreSQL database, each taking a submit of one key at the same moment
/// with one call left: exactly one is accepted (the counter's conditional update in the submit's transaction).
/// </summary>
public sealed class ApiQuotaRaceTests
{
    [Fact]
    public async Task Two_processes_never_both_spend_the_last_call()
    {
        var database = await TestDatabase.CreatePostgresAsync();
        var settings = new TestSettings().With("Auth:SigningKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)));
        await using var first = await PingvasServer.StartAsync(settings, database: database);
        await using var second = await PingvasServer.StartAsync(settings, database: database);
        var (user, key, _) = await ApiKeyKit.StarterWithKeyAsync(first, "generate");

        for (var round = 0; round < 3; round++)
        {
            var period = ApiPeriod.Of(first.Time.GetUtcNow().UtcDateTime);
            await first.QueryAsync(async db =>
            {
                if (!await db.ApiUsage.AnyAsync(u => u.UserId == user.Id && u.Period == period))
                {
                    db.ApiUsage.Add(new ApiUsage { UserId = user.Id, Period = period, Calls = 0 });
                    await db.SaveChangesAsync();
                }

                return await db.ApiUsage.Where(u => u.UserId == user.Id && u.Period == period).ExecuteUpdateAsync(s => s.SetProperty(u => u.Calls, 49));
            });

            using var a = ApiKeyKit.Client(first, key);
            using var b = ApiKeyKit.Client(second, key, header: true);
            var answers = await Task.WhenAll(
                a.PostAsJsonAsync("/api/v1/generations", TestUser.Request()),
                b.PostAsJsonAsync("/api/v1/generations", TestUser.Request()));
            var statuses = answers.Select(r => r.StatusCode).Order().ToList();
            Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], statuses);
            Assert.Equal(50, await first.QueryAsync(db => db.ApiUsage.Where(u => u.UserId == user.Id && u.Period == period).Select(u => u.Calls).SingleAsync()));
            await first.WaitUntilIdleAsync();
        }
    }
}
