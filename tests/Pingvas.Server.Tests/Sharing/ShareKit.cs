using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Gallery;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests.Sharing;

public sealed record ShareBody(
    Guid Id, string Url, Guid? ImageId, Guid? FolderId, bool HasPassword, DateTime? ExpiresAt, int? MaxViews, int Views,
    string Status, DateTime CreatedAt, DateTime? RevokedAt)
{
    /// <summary>The token: the last segment of the link.</summary>
    public string Token => Url[(Url.LastIndexOf('/') + 1)..];
}

public sealed record ShareListBody(List<ShareBody> Items);

public sealed record PublicImageBody(Guid Id, string Url, string ThumbnailUrl, int Width, int Height);

public sealed record PublicShareBody(string Kind, string? Name, DateTime? ExpiresAt, List<PublicImageBody> Images);

/// <summary>
/// The share tests' server: a web root of its own (the /s/… page) so it does not depend on the npm build.
/// </summary>
public sealed class ShareServer : ServerFixture, IAsyncLifetime
{
    public const string Index = "<!doctype html><title>pingvas share test</title>";

    private readonly string root;

    public ShareServer()
        : this(CreateRoot())
    {
    }

    private ShareServer(string root)
        : base(new TestSettings().With("Web:Root", root).With("App:PublicUrl", "https://studio.example.com/")) => this.root = root;

    // Re-implemented (the base's is not virtual): the server stops first, then its web root goes.
    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }

    private static string CreateRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), $"pingvas-share-web-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "index.html"), Index);
        return root;
    }
}

/// <summary>What the share tests do again and again: links, images, folders, visitors.</summary>
public static class ShareKit
{
    public static async Task<ShareBody> ShareAsync(this TestUser user, object body)
    {
        var response = await user.Client.PostAsJsonAsync("/api/v1/shares", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Share failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var share = (await response.Content.ReadFromJsonAsync<ShareBody>(Json.Options))!;
        Assert.Equal($"/api/v1/shares/{share.Id}", response.Headers.Location?.OriginalString);
        return share;
    }

    public static async Task<ShareBody> ShareGetAsync(this TestUser user, Guid id) =>
        (await user.Client.GetFromJsonAsync<ShareBody>($"/api/v1/shares/{id}", Json.Options))!;

    public static async Task<Guid> ImageAsync(this TestUser user, long seed = 7) =>
        (await user.GenerateAsync(TestUser.Request(steps: 1, seed: seed))).Images.Single().Id;

    /// <summary>A folder made directly (the folder API is the gallery's): the share feature only reads them.</summary>
    public static async Task<Guid> FolderAsync(this PingvasServer server, Guid userId, string name, Guid? parentId = null)
    {
        var id = Ids.New();
        await server.QueryAsync(async db =>
        {
            db.Folders.Add(new Folder { Id = id, UserId = userId, ParentId = parentId, Name = name, CreatedAt = server.Time.GetUtcNow().UtcDateTime });
            return await db.SaveChangesAsync();
        });
        return id;
    }

    public static Task PutInFolderAsync(this PingvasServer server, Guid imageId, Guid? folderId) =>
        server.QueryAsync(db => db.Images.IgnoreQueryFilters().Where(i => i.Id == imageId).ExecuteUpdateAsync(s => s.SetProperty(i => i.FolderId, folderId)));

    public static Task TrashAsync(this PingvasServer server, Guid imageId) =>
        server.QueryAsync(db => db.Images.Where(i => i.Id == imageId).ExecuteUpdateAsync(s => s.SetProperty(i => i.DeletedAt, DateTime.UtcNow)));

    /// <summary>A visitor without an account: a browser session of its own (cookies kept, no bearer token), answers checked against the OpenAPI document.</summary>
    public static HttpClient Visitor(this PingvasServer server)
    {
        HttpMessageHandler handler = new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true, AllowAutoRedirect = false };
        return new(PingvasServer.WrapClientHandler?.Invoke(server, handler) ?? handler)
        {
            BaseAddress = server.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public static Task<HttpResponseMessage> OpenAsync(this HttpClient visitor, ShareBody share) =>
        visitor.GetAsync($"/api/v1/public/shares/{share.Token}");

    public static Task<HttpResponseMessage> UnlockAsync(this HttpClient visitor, ShareBody share, string password) =>
        visitor.PostAsJsonAsync($"/api/v1/public/shares/{share.Token}/unlock", new { password });

    public static async Task<PublicShareBody> SeeAsync(this HttpClient visitor, ShareBody share)
    {
        var response = await visitor.OpenAsync(share);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Open failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<PublicShareBody>(Json.Options))!;
    }

    /// <summary>The answer of a link that is gone: exactly like an unknown one, and still private.</summary>
    public static async Task AssertGoneAsync(HttpResponseMessage response)
    {
        await ProblemAssert.ReadAsync(response, HttpStatusCode.NotFound, "share_not_found");
        AssertPrivate(response);
    }

    /// <summary>No referrer, no indexing, no caching.</summary>
    public static void AssertPrivate(HttpResponseMessage response)
    {
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Equal("noindex, nofollow", Header(response, "X-Robots-Tag"));
    }

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;
}
