using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Data;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Uploads;

/// <summary>Uploads under PostgreSQL row-level security (always on PostgreSQL): a query keyed to one user that forgets its filter sees and touches that user's uploads only.</summary>
public sealed class UploadRowLevelSecurityTests(UploadRowLevelSecurityTests.Fixture fixture) : IClassFixture<UploadRowLevelSecurityTests.Fixture>
{
    private readonly PingvasServer server = fixture.Server;

    public sealed class Fixture() : ServerFixture(new TestSettings(), postgres: true);

    [Fact]
    public async Task A_query_keyed_to_one_user_sees_and_deletes_only_that_users_uploads()
    {
        var alice = await server.RegisterAsync();
        var bob = await server.RegisterAsync();
        var alices = await alice.UploadAsync(UploadKit.Png(64, 64, seed: 1));
        var bobs = await bob.UploadAsync(UploadKit.Png(64, 64, seed: 2));

        await using (var scope = server.Services.GetRequiredService<IServiceScopeFactory>().CreateUserScope(bob.Id))
        {
            var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
            var visible = await db.Uploads.Select(u => u.Id).ToListAsync();
            Assert.Contains(bobs.Id, visible);
            Assert.DoesNotContain(alices.Id, visible);
            Assert.Equal(0, await db.Uploads.Where(u => u.Id == alices.Id).ExecuteDeleteAsync());
        }

        Assert.True(await server.QueryAsync(db => db.Uploads.AnyAsync(u => u.Id == alices.Id)));
    }
}
