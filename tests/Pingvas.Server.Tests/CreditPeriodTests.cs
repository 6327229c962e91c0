using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

using Pingvas.Engines;
using Pingvas.Server.Credits;
using Pingvas.Server.Tests.Infrastructure;

namespace Pingvas.Server.Tests;

/// <summary>
/// Monthly plan credits and refunds on failure, with the server's clock moved forward. Each test has
/// its own server: a jump of the clock makes every worker's heartbeat look a month old until the next
/// one, so a shared server would refuse another test's submit as model_unavailable meanwhile.
/// </summary>
public sealed class CreditPeriodTests
{

    [Fact]
    public async Task Unused_plan_credits_expire_at_the_period_end_and_the_next_period_grants_fresh_ones()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings());
        var user = await server.RegisterAsync();
        var done = await user.WaitForAsync((await user.SubmitAsync()).Id);
        var spent = done.CreditsCharged!.Value;
        var before = await user.MeAsync();
        Assert.Equal(100 - spent, before.Credits.Balance);

        server.Time.Advance(TimeSpan.FromDays(32));
        var after = await user.MeAsync();
        Assert.Equal(100, after.Credits.Balance);
        Assert.True(after.Credits.PeriodEnd > before.Credits.PeriodEnd);

        var ledger = await user.LedgerAsync();
        Assert.Equal(-(100 - spent), Assert.Single(ledger, e => e.Kind == "expire").Amount);
        Assert.Equal(2, ledger.Count(e => e.Kind == "grant"));
        Assert.Equal(after.Credits.Balance, ledger.Sum(e => e.Amount));

        // Reading again in the same period grants nothing more.
        await user.MeAsync();
        Assert.Equal(ledger.Count, (await user.LedgerAsync()).Count);
    }

    [Fact]
    public async Task The_sweep_renews_periods_of_users_who_never_come_back()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings());
        var user = await server.RegisterAsync();
        var done = await user.WaitForAsync((await user.SubmitAsync()).Id);
        var left = 100 - done.CreditsCharged!.Value;
        var periodEnd = (await server.UserRowAsync(user.Id)).PeriodEnd;

        server.Time.Advance(TimeSpan.FromDays(32));
        Assert.True(await server.Services.GetRequiredService<PlanPeriodSweep>().RunOnceAsync(CancellationToken.None) >= 1);

        // Without the user asking for anything: the period moved on and the ledger says so.
        var row = await server.UserRowAsync(user.Id);
        Assert.Equal(periodEnd.AddMonths(1), row.PeriodEnd);
        var entries = await server.QueryAsync(db => db.Ledger.Where(e => e.UserId == user.Id).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal(-left, Assert.Single(entries, e => e.Kind == LedgerKind.Expire).Amount);
        Assert.Equal(2, entries.Count(e => e.Kind == LedgerKind.Grant));
        Assert.Equal(100, entries.Sum(e => e.Amount));
        Assert.Equal(100, entries[^1].BalanceAfter);

        // A second sweep finds nothing due, and the user's own view agrees.
        var count = entries.Count;
        await server.Services.GetRequiredService<PlanPeriodSweep>().RunOnceAsync(CancellationToken.None);
        Assert.Equal(count, await server.QueryAsync(db => db.Ledger.CountAsync(e => e.UserId == user.Id)));
        Assert.Equal(100, (await user.MeAsync()).Credits.Balance);
        Assert.Equal(count, (await user.LedgerAsync()).Count);
    }

    [Fact]
    public async Task A_user_away_for_months_gets_only_the_current_period_credits()
    {
        await using var server = await PingvasServer.StartAsync(new TestSettings());
        var user = await server.RegisterAsync();
        server.Time.Advance(TimeSpan.FromDays(100));
        var me = await user.MeAsync();
        Assert.Equal(100, me.Credits.Balance);
        var ledger = await user.LedgerAsync();
        Assert.Equal(2, ledger.Count(e => e.Kind == "grant"));
        Assert.Equal(me.Credits.Balance, ledger.Sum(e => e.Amount));
    }

    [Fact]
    public async Task An_engine_failure_refunds_the_whole_reservation()
    {
        await using var failing = await PingvasServer.StartAsync(new TestSettings(), configureServices: services =>
        {
            services.RemoveAll<IImageEngine>();
            services.AddSingleton<IImageEngine, FailingEngine>();
        });
        var user = await failing.RegisterAsync();
        var job = await user.SubmitAsync();
        var done = await user.WaitForAsync(job.Id);
        Assert.Equal("failed", done.Status);
        Assert.Equal("engine_error", done.Error!.Code);
        Assert.DoesNotContain("simulated", done.Error.Message);
        Assert.Equal(0, done.CreditsCharged);

        var me = await user.MeAsync();
        Assert.Equal(100, me.Credits.Balance);
        Assert.Equal(0, me.Credits.Reserved);
        var ledger = await user.LedgerAsync();
        Assert.Equal(job.ReservedCredits, Assert.Single(ledger, e => e.Kind == "release").Amount);
        Assert.DoesNotContain(ledger, e => e.Kind == "charge");
    }

    /// <summary>An engine whose GPU "runs out of memory" after two steps.</summary>
    private sealed class FailingEngine : IImageEngine
    {
        public string Name => "failing";

        public IReadOnlyCollection<string> Models { get; } = ["sd-1.5", "sdxl-1.0", "flux-schnell", "flux-dev"];

        public async Task<EngineResult> RunAsync(EngineJob job, Func<EngineProgress, ValueTask> onProgress, CancellationToken cancellationToken)
        {
            await onProgress(new EngineProgress(1, job.Steps, 0, job.BatchSize, null));
            await onProgress(new EngineProgress(2, job.Steps, 0, job.BatchSize, null));
            throw new InvalidOperationException("simulated CUDA out of memory");
        }
    }
}
