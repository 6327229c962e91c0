using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Sharing;

/// <summary>
/// <c>/api/v1/shares</c>, the owner's side of share links: create (validated, one target of the
/// caller's), list newest first, read, revoke; another user's link, image or folder answers 404.
/// </summary>
public sealed class ShareLinkTests(ShareServer fixture) : IClassFixture<ShareServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task A_link_is_created_listed_read_and_revoked()
    {
        var user = await server.RegisterAsync();
        var image = await user.ImageAsync();
        var folder = await server.FolderAsync(user.Id, "Trips");
        var now = server.Time.GetUtcNow().UtcDateTime;

        var first = await user.ShareAsync(new { imageId = image });
        Assert.Equal(image, first.ImageId);
        Assert.Null(first.FolderId);
        Assert.False(first.HasPassword);
        Assert.Null(first.ExpiresAt);
        Assert.Null(first.MaxViews);
        Assert.Equal(0, first.Views);
        Assert.Equal("active", first.Status);
        Assert.Null(first.RevokedAt);
        Assert.InRange(first.CreatedAt, now.AddMinutes(-1), now.AddMinutes(1));

        // The link is App:PublicUrl + /s/{token}, the token 128 random bits in base64url.
        Assert.StartsWith("https://studio.example.com/s/", first.Url);
        Assert.Matches("^[A-Za-z0-9_-]{22}$", first.Token);

        var expires = now.AddDays(7);
        var second = await user.ShareAsync(new { folderId = folder, password = "open sesame", expiresAt = expires, maxViews = 3 });
        Assert.Equal(folder, second.FolderId);
        Assert.Null(second.ImageId);
        Assert.True(second.HasPassword);
        Assert.Equal(expires, second.ExpiresAt!.Value, TimeSpan.FromMilliseconds(1));
        Assert.Equal(3, second.MaxViews);
        Assert.NotEqual(first.Token, second.Token);

        var list = (await user.Client.GetFromJsonAsync<ShareListBody>("/api/v1/shares", Json.Options))!;
        Assert.Equal([second.Id, first.Id], list.Items.Select(s => s.Id));

        // The dialog lists one target's links.
        var forImage = (await user.Client.GetFromJsonAsync<ShareListBody>($"/api/v1/shares?imageId={image}", Json.Options))!;
        Assert.Equal([first.Id], forImage.Items.Select(s => s.Id));
        var forFolder = (await user.Client.GetFromJsonAsync<ShareListBody>($"/api/v1/shares?folderId={folder}", Json.Options))!;
        Assert.Equal([second.Id], forFolder.Items.Select(s => s.Id));

        Assert.Equal(first, await user.ShareGetAsync(first.Id));

        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/shares/{first.Id}")).StatusCode);
        var revoked = await user.ShareGetAsync(first.Id);
        Assert.Equal("revoked", revoked.Status);
        Assert.NotNull(revoked.RevokedAt);

        // Revoking again changes nothing; the link stays listed as revoked.
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.DeleteAsync($"/api/v1/shares/{first.Id}")).StatusCode);
        Assert.Equal(revoked, await user.ShareGetAsync(first.Id));
        list = (await user.Client.GetFromJsonAsync<ShareListBody>("/api/v1/shares", Json.Options))!;
        Assert.Equal(["active", "revoked"], list.Items.Select(s => s.Status));
    }

    [Fact]
    public async Task A_link_is_refused_without_exactly_one_target_or_with_bad_limits()
    {
        var user = await server.RegisterAsync();
        var image = await user.ImageAsync();
        var folder = await server.FolderAsync(user.Id, "Portraits");
        var now = server.Time.GetUtcNow().UtcDateTime;

        async Task Refused(object body, string field) =>
            await ProblemAssert.ValidationAsync(await user.Client.PostAsJsonAsync("/api/v1/shares", body), field);

        await Refused(new { }, "imageId");
        await Refused(new { imageId = image, folderId = folder }, "imageId");
        await Refused(new { imageId = image, password = "abc" }, "password");
        await Refused(new { imageId = image, password = new string('x', 129) }, "password");
        await Refused(new { imageId = image, expiresAt = now.AddMinutes(-1) }, "expiresAt");
        await Refused(new { imageId = image, expiresAt = now.AddDays(366) }, "expiresAt");
        await Refused(new { imageId = image, maxViews = 0 }, "maxViews");
        await Refused(new { imageId = image, maxViews = 1_000_001 }, "maxViews");

        // The limits themselves are allowed.
        var edge = await user.ShareAsync(new { imageId = image, password = "abcd", expiresAt = now.AddDays(364), maxViews = 1_000_000 });
        Assert.True(edge.HasPassword);
        await user.ShareAsync(new { imageId = image, password = new string('x', 128), maxViews = 1 });

        var shares = (await user.Client.GetFromJsonAsync<ShareListBody>("/api/v1/shares", Json.Options))!;
        Assert.Equal(2, shares.Items.Count);
    }

    [Fact]
    public async Task Another_users_link_image_and_folder_answer_404()
    {
        var owner = await server.RegisterAsync();
        var stranger = await server.RegisterAsync();
        var image = await owner.ImageAsync();
        var folder = await server.FolderAsync(owner.Id, "Private");
        var share = await owner.ShareAsync(new { imageId = image });

        await ProblemAssert.ReadAsync(await stranger.Client.GetAsync($"/api/v1/shares/{share.Id}"), HttpStatusCode.NotFound, "share_not_found");
        await ProblemAssert.ReadAsync(await stranger.Client.DeleteAsync($"/api/v1/shares/{share.Id}"), HttpStatusCode.NotFound, "share_not_found");
        await ProblemAssert.ReadAsync(await stranger.Client.GetAsync($"/api/v1/shares/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "share_not_found");
        await ProblemAssert.ReadAsync(
            await stranger.Client.PostAsJsonAsync("/api/v1/shares", new { imageId = image }), HttpStatusCode.NotFound, "image_not_found");
        await ProblemAssert.ReadAsync(
            await stranger.Client.PostAsJsonAsync("/api/v1/shares", new { folderId = folder }), HttpStatusCode.NotFound, "folder_not_found");
        await ProblemAssert.ReadAsync(
            await owner.Client.PostAsJsonAsync("/api/v1/shares", new { imageId = Guid.NewGuid() }), HttpStatusCode.NotFound, "image_not_found");

        Assert.Empty((await stranger.Client.GetFromJsonAsync<ShareListBody>("/api/v1/shares", Json.Options))!.Items);
        Assert.Empty((await stranger.Client.GetFromJsonAsync<ShareListBody>($"/api/v1/shares?imageId={image}", Json.Options))!.Items);

        // The stranger's revoke did nothing.
        Assert.Equal("active", (await owner.ShareGetAsync(share.Id)).Status);

        // Signed out: 401, not a list.
        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/shares")).StatusCode);
    }

    [Fact]
    public async Task A_trashed_image_cannot_be_shared()
    {
        var user = await server.RegisterAsync();
        var image = await user.ImageAsync();
        await server.TrashAsync(image);
        await ProblemAssert.ReadAsync(
            await user.Client.PostAsJsonAsync("/api/v1/shares", new { imageId = image }), HttpStatusCode.NotFound, "image_not_found");
    }
}
