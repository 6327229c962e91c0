using System.Diagnostics.Metrics;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Credits;
using Pingvas.Server.Data;

namespace Pingvas.Server.Telemetry;

/// <summary>
/// <c>pingvas_ledger_anomalies</c>: a periodic audit of the invariants the Ledger keeps (Credits/Ledger.cs),
/// at most every <see cref="Interval"/>, run by a scrape of serve or api in system context:
/// <list type="bullet">
/// <item>balance_mismatch — accounts whose lots' remaining credits differ from the sum of their ledger entries;</item>
/// <item>negative_balance — accounts whose ledger entries sum below zero;</item>
/// <item>double_charge — jobs with more than one charge entry.</item>
/// </list>
/// Every kind must stay 0; each is reported even at 0 so an alert sees the audit ran.
/// </summary>
public sealed class LedgerAuditGauges : IMetricsRefresh
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    private readonly IServiceScopeFactory scopes;
    private readonly TimeProvider time;
    private readonly SemaphoreSlim auditing = new(1, 1);
    private volatile Audit? last;

    public LedgerAuditGauges(PingvasMetrics metrics, IServiceScopeFactory scopes, TimeProvider time)
    {
        this.scopes = scopes;
        this.time = time;
        metrics.Meter.CreateObservableGauge("pingvas_ledger_anomalies", Observe, null,
            "Accounts or jobs breaking a ledger invariant (periodic audit); must stay 0. kind = balance_mismatch|negative_balance|double_charge.");
    }

    public sealed record Audit(DateTimeOffset At, int BalanceMismatch, int NegativeBalance, int DoubleCharge);

    /// <summary>The last audit's findings; null before the first.</summary>
    public Audit? Last => last;

    public async Task RefreshAsync(CancellationToken ct)
    {
        if (last is { } done && time.GetUtcNow() - done.At < Interval)
        {
            return;
        }

        await auditing.WaitAsync(ct);
        try
        {
            if (last is { } fresh && time.GetUtcNow() - fresh.At < Interval)
            {
                return;
            }

            await using var scope = scopes.CreateSystemScope();
            last = await RunAsync(scope.ServiceProvider.GetRequiredService<PingvasDb>(), ct);
        }
        finally
        {
            auditing.Release();
        }
    }

    /// <summary>One audit: three grouped queries, compared here (each provider translates them the same).</summary>
    public async Task<Audit> RunAsync(PingvasDb db, CancellationToken ct)
    {
        var at = time.GetUtcNow();
        var ledger = await db.Ledger.AsNoTracking().GroupBy(e => e.UserId)
            .Select(g => new { User = g.Key, Sum = g.Sum(e => e.Amount) }).ToDictionaryAsync(x => x.User, x => x.Sum, ct);
        var lots = await db.Lots.AsNoTracking().GroupBy(l => l.UserId)
            .Select(g => new { User = g.Key, Sum = g.Sum(l => l.Remaining) }).ToDictionaryAsync(x => x.User, x => x.Sum, ct);
        var mismatch = ledger.Keys.Union(lots.Keys).Count(u => ledger.GetValueOrDefault(u) != lots.GetValueOrDefault(u));
        var negative = ledger.Values.Count(sum => sum < 0);
        var doubleCharged = await db.Ledger.AsNoTracking().Where(e => e.Kind == LedgerKind.Charge && e.JobId != null)
            .GroupBy(e => e.JobId).Where(g => g.Count() > 1).CountAsync(ct);
        return new Audit(at, mismatch, negative, doubleCharged);
    }

    private IEnumerable<Measurement<int>> Observe()
    {
        if (last is not { } audit)
        {
            yield break;
        }

        yield return new Measurement<int>(audit.BalanceMismatch, new KeyValuePair<string, object?>("kind", "balance_mismatch"));
        yield return new Measurement<int>(audit.NegativeBalance, new KeyValuePair<string, object?>("kind", "negative_balance"));
        yield return new Measurement<int>(audit.DoubleCharge, new KeyValuePair<string, object?>("kind", "double_charge"));
    }
}
