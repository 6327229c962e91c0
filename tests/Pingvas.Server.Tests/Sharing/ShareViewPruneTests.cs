using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Sharing;
using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Sharing.ShareKit;

namespace Pingvas.Server.Tests.Sharing;

/// <summary>
/// The visitor rows of a link go a day after it ended (expired or revoked); a working link keeps
/// them, so a visitor is still counted once, and every link keeps its view count.
/// </summary>
public sealed class ShareViewPruneTests(ShareServer fixture) : IClassFixture<ShareServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task Ended_links_lose_their_visitor_rows_and_keep_their_counts()
    {
        var owner = await server.RegisterAsync();
        var working = await owner.ShareAsync(new { imageId = await owner.ImageAsync() });
        var expired = await owner.ShareAsync(new { imageId = await owner.ImageAsync() });
        var revoked = await owner.ShareAsync(new { imageId = await owner.ImageAsync() });
        var justEnded = await owner.ShareAsync(new { imageId = await owner.ImageAsync() });
        foreach (var share in new[] { working, expired, revoked, justEnded })
        {
            using var first = server.Visitor();
            using var second = server.Visitor();
            await first.SeeAsync(share);
            await second.SeeAsync(share);
        }

        // Ended two days ago (expired, revoked), and an hour ago (inside the grace).
        var now = server.Time.GetUtcNow().UtcDateTime;
        await server.QueryAsync(db => db.Shares.Where(s => s.Id == expired.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.ExpiresAt, now.AddDays(-2))));
        await server.QueryAsync(db => db.Shares.Where(s => s.Id == revoked.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now.AddDays(-2))));
        await server.QueryAsync(db => db.Shares.Where(s => s.Id == justEnded.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now.AddHours(-1))));

        Assert.Equal(4, await server.Services.GetRequiredService<ShareViewPruner>().RunOnceAsync(CancellationToken.None));

        var left = await server.QueryAsync(db => db.ShareViews.GroupBy(v => v.ShareId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync());
        Assert.Equal(2, left.Single(v => v.Key == working.Id).Count);
        Assert.Equal(2, left.Single(v => v.Key == justEnded.Id).Count);
        Assert.DoesNotContain(left, v => v.Key == expired.Id || v.Key == revoked.Id);
        Guid[] ids = [working.Id, expired.Id, revoked.Id, justEnded.Id];
        var views = await server.QueryAsync(db => db.Shares.Where(s => ids.Contains(s.Id)).Select(s => s.Views).ToListAsync());
        Assert.Equal([2, 2, 2, 2], views);

        // Nothing left to prune; a working link still counts a returning visitor once.
        Assert.Equal(0, await server.Services.GetRequiredService<ShareViewPruner>().RunOnceAsync(CancellationToken.None));
        using var visitor = server.Visitor();
        await visitor.SeeAsync(working);
        await visitor.SeeAsync(working);
        Assert.Equal(3, (await owner.ShareGetAsync(working.Id)).Views);
    }
}
