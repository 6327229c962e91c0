using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Sharing.ShareKit;

namespace Pingvas.Server.Tests.Sharing;

/// <summary>
/// Password-protected links: nothing without the unlock; a wrong password is refused and repeated
/// failures per link and address are throttled (429 with Retry-After); the unlock is per visitor.
/// Folder links: the folder and its sub-folders, without trashed images, newest first.
/// </summary>
public sealed class SharePasswordTests(ShareServer fixture) : IClassFixture<ShareServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task A_password_link_shows_nothing_until_unlocked_by_this_visitor()
    {
        var owner = await server.RegisterAsync();
        var share = await owner.ShareAsync(new { imageId = await owner.ImageAsync(), password = "p4ss word" });

        using var visitor = server.Visitor();
        var locked = await visitor.OpenAsync(share);
        await ProblemAssert.ReadAsync(locked, HttpStatusCode.Unauthorized, "share_password_required");
        AssertPrivate(locked);

        var wrong = await visitor.UnlockAsync(share, "p4ss w0rd");
        await ProblemAssert.ReadAsync(wrong, HttpStatusCode.Unauthorized, "share_password_invalid");
        AssertPrivate(wrong);
        await ProblemAssert.ValidationAsync(await visitor.UnlockAsync(share, ""), "password");
        await ProblemAssert.ReadAsync(await visitor.OpenAsync(share), HttpStatusCode.Unauthorized, "share_password_required");

        // A refused visitor is not a view.
        Assert.Equal(0, (await owner.ShareGetAsync(share.Id)).Views);

        var unlocked = await visitor.UnlockAsync(share, "p4ss word");
        Assert.Equal(HttpStatusCode.NoContent, unlocked.StatusCode);
        AssertPrivate(unlocked);
        var cookies = unlocked.Headers.GetValues("Set-Cookie").ToList();
        Assert.Contains(cookies, c => c.StartsWith("pv_share_unlock=", StringComparison.Ordinal)
            && c.Contains($"path=/api/v1/public/shares/{share.Token}", StringComparison.OrdinalIgnoreCase)
            && c.Contains("httponly", StringComparison.OrdinalIgnoreCase));

        Assert.Single((await visitor.SeeAsync(share)).Images);
        Assert.Equal(1, (await owner.ShareGetAsync(share.Id)).Views);

        // Another visitor, or the same cookie tampered with, is still locked out.
        using var other = server.Visitor();
        await ProblemAssert.ReadAsync(await other.OpenAsync(share), HttpStatusCode.Unauthorized, "share_password_required");
        using var forged = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/public/shares/{share.Token}");
        forged.Headers.Add("Cookie", "pv_share_unlock=4102444800.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        using var plain = server.CreateClient();
        await ProblemAssert.ReadAsync(await plain.SendAsync(forged), HttpStatusCode.Unauthorized, "share_password_required");

        // The stored hash is the password KDF's, never the password.
        var stored = await server.QueryAsync(db => db.Shares.Where(s => s.Id == share.Id).Select(s => s.PasswordHash).SingleAsync());
        Assert.DoesNotContain("p4ss word", stored!);
        Assert.True(stored!.Length > 40);

        // An unlock is for one link only.
        var second = await owner.ShareAsync(new { imageId = await owner.ImageAsync(seed: 8), password = "p4ss word" });
        await ProblemAssert.ReadAsync(await visitor.OpenAsync(second), HttpStatusCode.Unauthorized, "share_password_required");
    }

    [Fact]
    public async Task Repeated_wrong_passwords_are_throttled_per_link_with_retry_after()
    {
        var owner = await server.RegisterAsync();
        var image = await owner.ImageAsync();
        var share = await owner.ShareAsync(new { imageId = image, password = "right one" });
        var neighbour = await owner.ShareAsync(new { imageId = image, password = "right one" });

        using var visitor = server.Visitor();
        for (var i = 0; i < 5; i++)
        {
            await ProblemAssert.ReadAsync(await visitor.UnlockAsync(share, $"guess {i}"), HttpStatusCode.Unauthorized, "share_password_invalid");
        }

        // Now even the right password waits: the answer does not tell a guess that would have worked.
        foreach (var password in new[] { "guess 5", "right one" })
        {
            var throttled = await visitor.UnlockAsync(share, password);
            await ProblemAssert.ReadAsync(throttled, HttpStatusCode.TooManyRequests, "share_password_throttled");
            AssertPrivate(throttled);
            var retryAfter = throttled.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(15));
        }

        // Another link of the same owner is not affected.
        Assert.Equal(HttpStatusCode.NoContent, (await visitor.UnlockAsync(neighbour, "right one")).StatusCode);

        // Once the wait is over the right password works.
        await server.JumpClockAsync(TimeSpan.FromMinutes(16));
        Assert.Equal(HttpStatusCode.NoContent, (await visitor.UnlockAsync(share, "right one")).StatusCode);
        Assert.Single((await visitor.SeeAsync(share)).Images);
    }

    [Fact]
    public async Task A_folder_link_shows_the_folder_and_its_sub_folders_without_the_trash()
    {
        var owner = await server.RegisterAsync();
        var trips = await server.FolderAsync(owner.Id, "Trips");
        var seoul = await server.FolderAsync(owner.Id, "Seoul", trips);
        var work = await server.FolderAsync(owner.Id, "Work");

        var inTrips = await owner.ImageAsync(seed: 1);
        var inSeoul = await owner.ImageAsync(seed: 2);
        var inWork = await owner.ImageAsync(seed: 3);
        var atRoot = await owner.ImageAsync(seed: 4);
        var trashed = await owner.ImageAsync(seed: 5);
        await server.PutInFolderAsync(inTrips, trips);
        await server.PutInFolderAsync(inSeoul, seoul);
        await server.PutInFolderAsync(inWork, work);
        await server.PutInFolderAsync(trashed, trips);
        await server.TrashAsync(trashed);

        var share = await owner.ShareAsync(new { folderId = trips });
        using var visitor = server.Visitor();
        var seen = await visitor.SeeAsync(share);
        Assert.Equal("folder", seen.Kind);
        Assert.Equal("Trips", seen.Name);
        Assert.Equal([inSeoul, inTrips], seen.Images.Select(i => i.Id));

        // The sub-folder's own link shows only its image; the other folder and the root stay out.
        var sub = await visitor.SeeAsync(await owner.ShareAsync(new { folderId = seoul }));
        Assert.Equal([inSeoul], sub.Images.Select(i => i.Id));
        Assert.DoesNotContain(atRoot, seen.Images.Select(i => i.Id));

        // An image link whose image went to the trash answers like a missing link.
        var single = await owner.ShareAsync(new { imageId = inWork });
        await visitor.SeeAsync(single);
        await server.TrashAsync(inWork);
        await AssertGoneAsync(await visitor.OpenAsync(single));
    }
}
