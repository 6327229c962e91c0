using System.Net;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using Pingvas.Server.Billing;
using Pingvas.Server.Credits;
using Pingvas.Server.Data;
using Pingvas.Server.Jobs;
using Pingvas.Server.Storage;
using Pingvas.Server.Tests.Billing;
using Pingvas.Server.Tests.Infrastructure;

using static Pingvas.Server.Tests.Infrastructure.ApiChecks;

namespace Pingvas.Server.Tests.YourData;

/// <summary>A server whose jobs take a few seconds (so one can be running and one queued) and whose billing provider records its calls.</summary>
public sealed class DeletionFixture() : ServerFixture(new TestSettings { StepDelayMs = 100 })
{
    public RecordingBillingProvider Provider { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IBillingProvider>(Provider);
}

/// <summary>
/// <c>DELETE /me</c>: the password or a fresh sign-in; then jobs cancelled through the lifecycle
/// (holds returned), the subscription ended at the provider, every object and content row gone,
/// the ledger and payments kept under an anonymised tombstone, every session ended, the email free.
/// </summary>
public sealed class AccountDeletionTests(DeletionFixture fixture) : IClassFixture<DeletionFixture>
{
    private readonly PingvasServer server = fixture.Server;

    private static HttpRequestMessage Delete(string? password) =>
        new(HttpMethod.Delete, "/api/v1/me") { Content = JsonContent.Create(new { password }) };

    [Fact]
    public async Task A_wrong_password_is_refused_and_changes_nothing()
    {
        var user = await server.RegisterAsync();
        await AssertProblemAsync(await user.Client.SendAsync(Delete("not my password")), HttpStatusCode.Forbidden, "wrong_password");
        await AssertProblemAsync(await user.Client.SendAsync(Delete(null)), HttpStatusCode.Forbidden, "wrong_password");
        Assert.Equal(user.Email, (await user.MeAsync()).Email);
        Assert.Null(await server.QueryAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.DeletedAt).SingleAsync()));
    }

    [Fact]
    public async Task Deleting_cancels_and_refunds_jobs_removes_objects_and_rows_and_keeps_the_ledger_under_a_tombstone()
    {
        var user = await server.RegisterAsync();
        var other = await server.RegisterAsync();
        var kept = await other.GenerateAsync(TestUser.Request("someone else's image"));
        var done = await user.GenerateAsync(TestUser.Request("my lighthouse"));
        var store = server.Services.GetRequiredService<IObjectStore>();
        await store.PutAsync($"users/{user.Id:N}/uploads/extra.png", PngSignature, "image/png", CancellationToken.None);
        await server.QueryAsync(db =>
        {
            db.Subscriptions.Add(new Subscription
            {
                Id = Ids.New(),
                UserId = user.Id,
                Provider = "lemonsqueezy",
                ProviderSubscriptionId = $"sub_{user.Id:N}",
                PlanId = "pro",
                Interval = "monthly",
                Status = SubscriptionStatus.Active,
                PaidThrough = DateTime.UtcNow.AddDays(20),
                CreatedAt = DateTime.UtcNow,
                UpdatedAt = DateTime.UtcNow,
                StateAt = DateTime.UtcNow,
            });
            db.BillingPayments.Add(new BillingPayment
            {
                Id = Ids.New(),
                UserId = user.Id,
                Provider = "lemonsqueezy",
                Reference = $"inv_{user.Id:N}",
                Kind = "subscription",
                Description = "Pro plan (monthly)",
                Amount = 1900,
                Currency = "USD",
                Status = "paid",
                At = DateTime.UtcNow,
            });
            return db.SaveChangesAsync();
        });

        // One job running (the Free plan runs one at a time) and one queued behind it.
        var running = await user.SubmitAsync(TestUser.Request("a long render", steps: 60));
        await user.WaitForAsync(running.Id, "running");
        var queued = await user.SubmitAsync(TestUser.Request("waiting its turn", steps: 60));
        Assert.Equal("queued", (await user.GetAsync(queued.Id)).Status);
        Assert.NotEmpty(await server.UserObjectsAsync(user.Id));

        var response = await user.Client.SendAsync(Delete(user.Password));
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());

        // Ended at the provider, without renewal; kept here as expired so a late webhook changes nothing.
        Assert.Contains($"cancel sub_{user.Id:N}", fixture.Provider.Calls);
        Assert.Equal(SubscriptionStatus.Expired, await server.QueryAsync(db => db.Subscriptions.Where(s => s.UserId == user.Id).Select(s => s.Status).SingleAsync()));

        // Every object under the account's prefix is gone; the other user's are not.
        Assert.Empty(await server.UserObjectsAsync(user.Id));
        Assert.True(File.Exists(ObjectFiles(server, other.Id, kept.Images[0].Id)[0]));

        // Content rows gone; the ledger and payments kept, under the anonymised tombstone.
        Assert.Equal(0, await server.CountAsync(db => db.Jobs.Where(j => j.UserId == user.Id)));
        Assert.Equal(0, await server.CountAsync(db => db.Images.IgnoreQueryFilters().Where(i => i.UserId == user.Id)));
        Assert.Equal(0, await server.CountAsync(db => db.RefreshTokens.Where(t => t.UserId == user.Id)));
        Assert.Equal(0, await server.CountAsync(db => db.LotHolds.Where(h => h.UserId == user.Id)));
        Assert.Equal(0, await server.CountAsync(db => db.Outbox.Where(m => m.UserId == user.Id)));
        Assert.Equal(1, await server.CountAsync(db => db.BillingPayments.Where(p => p.UserId == user.Id)));
        var tombstone = await server.QueryAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == user.Id));
        Assert.Equal($"deleted-{user.Id}@deleted.invalid", tombstone.Email);
        Assert.Equal(("", "", (string?)null, (DateTime?)null), (tombstone.Name, tombstone.PasswordHash, tombstone.TotpSecret, tombstone.TotpEnabledAt));
        Assert.NotNull(tombstone.DeletedAt);

        var ledger = await server.QueryAsync(db => db.Ledger.AsNoTracking().Where(e => e.UserId == user.Id).OrderBy(e => e.Id).ToListAsync());
        Assert.Contains(ledger, e => e.Kind == LedgerKind.Charge && e.JobId == done.Id);
        Assert.Contains(ledger, e => e.Kind == LedgerKind.Reserve && e.JobId == queued.Id);
        var release = Assert.Single(ledger, e => e.Kind == LedgerKind.Release && e.JobId == queued.Id);
        Assert.Equal(queued.ReservedCredits, release.Amount);
        // The running job ended too (its worker charged the seconds used, or released the hold), and the rest was forfeited.
        Assert.Contains(ledger, e => e.JobId == running.Id && e.Kind is LedgerKind.Charge or LedgerKind.Release);
        var entries = string.Join("\n", ledger.Select(e => $"{e.Kind} {e.Amount} → {e.BalanceAfter} {e.Reason}"));
        Assert.True(ledger[^1] is { Kind: LedgerKind.Adjust, BalanceAfter: 0 }, entries);
        Assert.Equal(0, await server.QueryAsync(db => db.Lots.Where(l => l.UserId == user.Id).SumAsync(l => l.Remaining)));

        // Every session ended: the access token and the refresh token are refused; the password no longer signs in.
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.Client.GetAsync("/api/v1/me")).StatusCode);
        using var anonymous = server.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = user.RefreshToken })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = user.Email, password = user.Password })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/v1/auth/login", new { email = tombstone.Email, password = user.Password })).StatusCode);

        // The address is free again: it signs up as a new account.
        var again = await server.RegisterAsync(user.Email, "another good password");
        Assert.NotEqual(user.Id, again.Id);
        Assert.Equal(user.Email, (await again.MeAsync()).Email);
        Assert.Equal(kept.Id, (await other.GetAsync(kept.Id)).Id);
    }

    [Fact]
    public async Task A_provider_error_deletes_nothing()
    {
        var user = await server.RegisterAsync();
        await server.QueryAsync(db =>
        {
            db.Subscriptions.Add(new Subscription
            {
                Id = Ids.New(),
                UserId = user.Id,
                Provider = "lemonsqueezy",
                ProviderSubscriptionId = $"sub_{user.Id:N}",
                PlanId = "pro",
                Interval = "monthly",
                Status = SubscriptionStatus.Active,
                PaidThrough = DateTime.UtcNow.AddDays(20),
                CreatedAt = DateTime.UtcNow,
                UpdatedAt = DateTime.UtcNow,
                StateAt = DateTime.UtcNow,
            });
            return db.SaveChangesAsync();
        });

        fixture.Provider.Fail = true;
        try
        {
            await AssertProblemAsync(await user.Client.SendAsync(Delete(user.Password)), HttpStatusCode.BadGateway, "billing_provider_error");
        }
        finally
        {
            fixture.Provider.Fail = false;
        }

        Assert.Equal(user.Email, (await user.MeAsync()).Email);
        Assert.Equal(SubscriptionStatus.Active, await server.QueryAsync(db => db.Subscriptions.Where(s => s.UserId == user.Id).Select(s => s.Status).SingleAsync()));
    }

    [Fact]
    public async Task An_account_without_a_password_needs_a_sign_in_less_than_ten_minutes_old()
    {
        // Accounts made by a provider's sign-in have no password (ExternalAccounts): arranged in the database.
        var stale = await server.RegisterAsync();
        var fresh = await server.RegisterAsync();
        await server.QueryAsync(db => db.Users.Where(u => u.Id == stale.Id || u.Id == fresh.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, "")));

        Assert.Equal(HttpStatusCode.NoContent, (await fresh.Client.SendAsync(Delete(null))).StatusCode);
        Assert.NotNull(await server.QueryAsync(db => db.Users.Where(u => u.Id == fresh.Id).Select(u => u.DeletedAt).SingleAsync()));

        await server.JumpClockAsync(TimeSpan.FromMinutes(11));
        await AssertProblemAsync(await stale.Client.SendAsync(Delete(null)), HttpStatusCode.Forbidden, "reauthentication_required");

        // A refreshed token keeps the sign-in's time: refreshing is not signing in again.
        using var anonymous = server.CreateClient();
        var refreshed = await anonymous.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = stale.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var pair = (await refreshed.Content.ReadFromJsonAsync<TokensBody>(Json.Options))!;
        using var client = server.CreateClient(pair.AccessToken);
        await AssertProblemAsync(await client.SendAsync(Delete(null)), HttpStatusCode.Forbidden, "reauthentication_required");
        Assert.Null(await server.QueryAsync(db => db.Users.Where(u => u.Id == stale.Id).Select(u => u.DeletedAt).SingleAsync()));
    }
}
