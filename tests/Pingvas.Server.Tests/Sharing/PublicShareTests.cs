using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Sharing.ShareKit;

namespace Pingvas.Server.Tests.Sharing;

/// <summary>
/// <c>/api/v1/public/shares/{token}</c>, what a visitor without an account sees: the image(s) and
/// nothing of the owner; views counted once per visitor session; expired, revoked and exhausted
/// links answer like unknown ones; private headers on every answer and on the /s/… page.
/// </summary>
public sealed class PublicShareTests(ShareServer fixture) : IClassFixture<ShareServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task A_visitor_sees_the_image_and_nothing_of_the_owner()
    {
        var owner = await server.RegisterAsync();
        var image = await owner.ImageAsync();
        var share = await owner.ShareAsync(new { imageId = image });

        using var visitor = server.Visitor();
        var response = await visitor.OpenAsync(share);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertPrivate(response);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var text = await response.Content.ReadAsStringAsync();

        // Exactly the fields of the contract: no prompt, seed, model, tags, account or other images.
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(["expiresAt", "images", "kind", "name"], body.Select(p => p.Key).Order());
        Assert.Equal("image", (string?)body["kind"]);
        var shown = Assert.Single(body["images"]!.AsArray())!.AsObject();
        Assert.Equal(["height", "id", "thumbnailUrl", "url", "width"], shown.Select(p => p.Key).Order());
        Assert.Equal(image, (Guid)shown["id"]!);
        Assert.Equal(64, (int)shown["width"]!);
        Assert.DoesNotContain("lighthouse", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(owner.Email, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Test User", text, StringComparison.Ordinal);
        Assert.DoesNotContain(share.Id.ToString(), text, StringComparison.OrdinalIgnoreCase);

        // The URLs are signed, short-lived and work without a session.
        var seen = await visitor.SeeAsync(share);
        foreach (var url in new[] { seen.Images[0].Url, seen.Images[0].ThumbnailUrl })
        {
            Assert.Contains("sig=", url);
            var expires = long.Parse(url[(url.IndexOf("exp=", StringComparison.Ordinal) + 4)..url.IndexOf('&', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(DateTimeOffset.FromUnixTimeSeconds(expires), server.Time.GetUtcNow(), server.Time.GetUtcNow().AddMinutes(17));
            var file = await visitor.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
            Assert.NotEmpty(await file.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task A_view_counts_once_per_visitor_and_the_limit_closes_the_link_to_new_visitors()
    {
        var owner = await server.RegisterAsync();
        var share = await owner.ShareAsync(new { imageId = await owner.ImageAsync(), maxViews = 2 });

        using var first = server.Visitor();
        using var second = server.Visitor();
        using var third = server.Visitor();

        await first.SeeAsync(share);
        await first.SeeAsync(share);
        await first.SeeAsync(share);
        Assert.Equal(1, (await owner.ShareGetAsync(share.Id)).Views);

        await second.SeeAsync(share);
        var exhausted = await owner.ShareGetAsync(share.Id);
        Assert.Equal(2, exhausted.Views);
        Assert.Equal("exhausted", exhausted.Status);

        // A new visitor finds nothing; those already counted still see it, without counting again.
        await AssertGoneAsync(await third.OpenAsync(share));
        await AssertGoneAsync(await third.UnlockAsync(share, "whatever"));
        await first.SeeAsync(share);
        await second.SeeAsync(share);
        Assert.Equal(2, (await owner.ShareGetAsync(share.Id)).Views);
    }

    [Fact]
    public async Task Parallel_new_visitors_never_exceed_the_limit()
    {
        var owner = await server.RegisterAsync();
        var share = await owner.ShareAsync(new { imageId = await owner.ImageAsync(), maxViews = 3 });

        var visitors = Enumerable.Range(0, 8).Select(_ => server.Visitor()).ToList();
        var answers = await Task.WhenAll(visitors.Select(v => v.OpenAsync(share)));
        Assert.Equal(3, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.Equal(5, answers.Count(a => a.StatusCode == HttpStatusCode.NotFound));
        Assert.Equal(3, (await owner.ShareGetAsync(share.Id)).Views);
        visitors.ForEach(v => v.Dispose());
    }

    [Fact]
    public async Task An_expired_link_answers_like_a_missing_one()
    {
        var owner = await server.RegisterAsync();
        var expiresAt = server.Time.GetUtcNow().UtcDateTime.AddHours(1);
        var share = await owner.ShareAsync(new { imageId = await owner.ImageAsync(), expiresAt });

        using var visitor = server.Visitor();
        var seen = await visitor.SeeAsync(share);
        Assert.Equal(expiresAt, seen.ExpiresAt!.Value, TimeSpan.FromMilliseconds(1));

        await server.JumpClockAsync(TimeSpan.FromHours(1).Add(TimeSpan.FromSeconds(1)));
        await AssertGoneAsync(await visitor.OpenAsync(share));
        await AssertGoneAsync(await server.Visitor().OpenAsync(share));
        Assert.Equal("expired", (await owner.ShareGetAsync(share.Id)).Status);
    }

    [Fact]
    public async Task A_revoked_link_is_gone_at_once_even_for_a_counted_visitor()
    {
        var owner = await server.RegisterAsync();
        var share = await owner.ShareAsync(new { imageId = await owner.ImageAsync(), password = "let me in" });

        using var visitor = server.Visitor();
        Assert.Equal(HttpStatusCode.NoContent, (await visitor.UnlockAsync(share, "let me in")).StatusCode);
        await visitor.SeeAsync(share);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/shares/{share.Id}")).StatusCode);
        await AssertGoneAsync(await visitor.OpenAsync(share));
        await AssertGoneAsync(await visitor.UnlockAsync(share, "let me in"));
    }

    [Fact]
    public async Task Unknown_tokens_are_not_found_and_private()
    {
        using var visitor = server.Visitor();
        await AssertGoneAsync(await visitor.GetAsync("/api/v1/public/shares/AAAAAAAAAAAAAAAAAAAAAA"));
        await AssertGoneAsync(await visitor.GetAsync("/api/v1/public/shares/short"));
        await AssertGoneAsync(await visitor.PostAsJsonAsync("/api/v1/public/shares/AAAAAAAAAAAAAAAAAAAAAA/unlock", new { password = "x" }));

        // A body the server cannot read is refused, still with the private headers.
        var bad = await visitor.PostAsync("/api/v1/public/shares/AAAAAAAAAAAAAAAAAAAAAA/unlock", ProblemAssert.Raw("{not json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        AssertPrivate(bad);
    }

    [Fact]
    public async Task The_share_page_is_the_app_with_private_headers()
    {
        var owner = await server.RegisterAsync();
        var share = await owner.ShareAsync(new { imageId = await owner.ImageAsync() });
        using var visitor = server.Visitor();

        var page = await visitor.GetAsync($"/s/{share.Token}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(ShareServer.Index, await page.Content.ReadAsStringAsync());
        AssertPrivate(page);

        // Other pages keep their referrer policy and may be indexed.
        var other = await visitor.GetAsync("/gallery");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Null(Header(other, "X-Robots-Tag"));
        Assert.Null(Header(other, "Referrer-Policy"));

        // Opening the page is not a view: the page's own call is.
        Assert.Equal(0, (await owner.ShareGetAsync(share.Id)).Views);
    }
}
