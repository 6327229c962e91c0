using System.Net;
using System.Net.Http.Json;

using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>The whole loop through the real HTTP API: sign up → credits → queue → render → gallery → charge.</summary>
public sealed class GenerationLoopTests(DefaultServer fixture) : IClassFixture<DefaultServer>
{
    private readonly PingvasServer server = fixture.Server;

    [Fact]
    public async Task New_user_generates_an_image_and_is_charged_its_measured_seconds_once()
    {
        var user = await server.RegisterAsync();
        var me = await user.MeAsync();
        Assert.Equal("free", me.Plan.Id);
        Assert.Equal(100, me.Credits.Balance);

        var submitted = await user.SubmitAsync(TestUser.Request(width: 128, height: 96, steps: 6, seed: 1234));
        Assert.Equal("queued", submitted.Status);
        Assert.True(submitted.ReservedCredits >= 1);
        // An estimate from the queue snapshot, which may still hold the jobs of this class's other tests.
        Assert.True(submitted.QueuePosition >= 1);

        var done = await user.WaitForAsync(submitted.Id);
        Assert.Equal("succeeded", done.Status);
        Assert.Equal("procedural", done.Engine);
        Assert.Equal(new ProgressBody(6, 6, 100), done.Progress);
        var image = Assert.Single(done.Images);
        Assert.Equal((128, 96, 1234L), (image.Width, image.Height, image.Seed));
        Assert.NotNull(done.GpuSeconds);
        var expectedCharge = Math.Max(1, (int)Math.Ceiling(done.GpuSeconds!.Value - 0.0005));
        Assert.Equal(expectedCharge, done.CreditsCharged);

        // The signed URLs serve a real PNG and WebP thumbnails without a token.
        using var anonymous = server.CreateClient();
        var png = await anonymous.GetByteArrayAsync(image.Url);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        var thumb = await anonymous.GetByteArrayAsync(image.ThumbnailUrl);
        Assert.Equal("WEBP", System.Text.Encoding.ASCII.GetString(thumb, 8, 4));

        // Exactly one charge for the job, and the balance is the sum of the ledger.
        var ledger = await user.LedgerAsync();
        Assert.Single(ledger, e => e.Kind == "charge" && e.JobId == submitted.Id);
        Assert.Equal(-done.CreditsCharged, ledger.Single(e => e.Kind == "charge").Amount);
        me = await user.MeAsync();
        Assert.Equal(100 - done.CreditsCharged, me.Credits.Balance);
        Assert.Equal(0, me.Credits.Reserved);
        Assert.Equal(me.Credits.Balance, ledger.Sum(e => e.Amount));
        Assert.Equal(me.Credits.Balance, ledger[0].BalanceAfter);

        // And the gallery holds it with its metadata.
        var gallery = await user.Client.GetFromJsonAsync<PageBody<ImageBody>>("/api/v1/images", Json.Options);
        var stored = Assert.Single(gallery!.Items);
        Assert.Equal(image.Id, stored.Id);
        Assert.Equal("procedural", stored.Metadata["engine"]);
        Assert.Equal("a lighthouse at dusk", stored.Metadata["prompt"]);
        Assert.Equal("1234", stored.Metadata["seed"]);
    }

    [Fact]
    public async Task Same_parameters_render_the_same_image()
    {
        var user = await server.RegisterAsync();
        var first = await user.WaitForAsync((await user.SubmitAsync(TestUser.Request(seed: 99))).Id);
        var second = await user.WaitForAsync((await user.SubmitAsync(TestUser.Request(seed: 99))).Id);
        var third = await user.WaitForAsync((await user.SubmitAsync(TestUser.Request(seed: 100))).Id);
        using var anonymous = server.CreateClient();
        var a = await anonymous.GetByteArrayAsync(first.Images[0].Url);
        var b = await anonymous.GetByteArrayAsync(second.Images[0].Url);
        var c = await anonymous.GetByteArrayAsync(third.Images[0].Url);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public async Task Submitting_more_than_the_balance_is_refused_with_402_and_queues_nothing()
    {
        var user = await server.RegisterAsync();

        // sd-1.5 at 1024² × 150 steps is estimated at 64 credits: the first fits in 100, the second does not.
        var big = TestUser.Request(width: 1024, height: 1024, steps: 150);
        var first = await user.SubmitAsync(big);
        Assert.Equal(64, first.ReservedCredits);
        var response = await user.Client.PostAsJsonAsync("/api/v1/generations", big);
        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemBody>(Json.Options);
        Assert.Equal("insufficient_credits", problem!.Code);

        var list = await user.Client.GetFromJsonAsync<PageBody<GenerationBody>>("/api/v1/generations", Json.Options);
        Assert.Equal(first.Id, Assert.Single(list!.Items).Id);
        var ledger = await user.LedgerAsync();
        Assert.Single(ledger, e => e.Kind == "reserve");
        Assert.All(ledger.Where(e => e.JobId is not null), e => Assert.Equal(first.Id, e.JobId));
        await user.Client.PostAsync($"/api/v1/generations/{first.Id}/cancel", null);
        await user.WaitForAsync(first.Id);
    }
}
