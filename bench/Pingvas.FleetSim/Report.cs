using System.Globalization;
using System.Text;

namespace Pingvas.FleetSim;

/// <summary>The markdown tables: one per load, then the targets for our policy.</summary>
public static class Report
{
    public static string Markdown(Options options, IReadOnlyList<ScenarioResult> results, TimeSpan elapsed)
    {
        var fleet = Fleet.Compose(options.Workers);
        var capacity = Arrivals.Capacity(fleet, options.SpotPerWorkerHour);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Fleet: {options.Workers} workers ({string.Join(", ", fleet.GroupBy(c => c.Name).Select(g => $"{g.Count()} {g.Key}"))}), {options.Users} users, {options.Hours} h simulated per scenario, seed {options.Seed}, Spot interruptions {options.SpotPerWorkerHour} per worker-hour (down 2–4 min). Nominal capacity {F(capacity, 2)} jobs/s. Run took {F(elapsed.TotalSeconds, 1)} s.");
        text.AppendLine();
        foreach (var load in results.Select(r => r.Load).Distinct())
        {
            var rows = results.Where(r => r.Load == load).ToList();
            text.AppendLine(CultureInfo.InvariantCulture, $"### Load {load.ToString(CultureInfo.InvariantCulture)}× capacity ({F(rows[0].ArrivalsPerSecond, 2)} jobs/s, {rows[0].Arrived} jobs)");
            text.AppendLine();
            text.AppendLine("| policy | GPU util (rendering) | jobs/min | swaps (per 1k jobs) | loads | hand-backs | $/1k images Spot (on-demand) | starved |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---|");
            foreach (var r in rows)
            {
                var starved = string.Join(", ", r.Plans.Where(p => p.Starved).Select(p => p.Plan));
                text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Policy} | {F(r.Utilisation * 100, 1)}% ({F(r.RenderingShare * 100, 1)}%) | {F(r.ThroughputPerMinute, 0)} | {r.Swaps} ({F(r.SwapsPer1000Jobs, 1)}) | {r.ModelLoads} | {r.HandBacks} | {F(r.SpotCostPer1000Images, 2)} ({F(r.OnDemandCostPer1000Images, 2)}) | {(starved.Length == 0 ? "none" : starved)} |");
            }

            text.AppendLine();
            text.AppendLine("Wait in seconds, p50 / p95 (max; still waiting at the end: count, oldest):");
            text.AppendLine();
            text.AppendLine("| policy | " + string.Join(" | ", Arrivals.Plans.Select(p => p.Name)) + " |");
            text.AppendLine("|---|" + string.Concat(Arrivals.Plans.Select(_ => "---:|")));
            foreach (var r in rows)
            {
                text.AppendLine($"| {r.Policy} | " + string.Join(" | ", r.Plans.Select(Cell)) + " |");
            }

            text.AppendLine();
        }

        text.Append(Targets(results));
        return text.ToString();
    }

    private static string Targets(IReadOnlyList<ScenarioResult> results)
    {
        var text = new StringBuilder("### Targets for our policy\n\n| setting | util at 1.0× ≥ 90% | swaps vs FIFO at 1.0× ≤ −50% | Enterprise p95 at 2.0× < 5 s | no plan starved at 1.0× |\n|---|---|---|---|---|\n");
        var fifo = results.FirstOrDefault(r => r.Load == 1.0 && r.Policy == SimPolicy.Fifo.Name);
        foreach (var policy in results.Select(r => r.Policy).Distinct().Where(p => p.StartsWith("ours", StringComparison.Ordinal)))
        {
            var sat = results.FirstOrDefault(r => r.Load == 1.0 && r.Policy == policy);
            var over = results.FirstOrDefault(r => r.Load == 2.0 && r.Policy == policy);
            if (sat is null || over is null || fifo is null)
            {
                continue;
            }

            var change = fifo.Swaps == 0 ? 0 : ((double)sat.Swaps / fifo.Swaps) - 1;
            var enterprise = over.Plans.Single(p => p.Plan == "Enterprise").WaitP95;
            var starved = sat.Plans.Where(p => p.Starved).Select(p => p.Plan).ToList();
            text.AppendLine(CultureInfo.InvariantCulture, $"| {policy} | {Mark(sat.Utilisation >= 0.90)} {F(sat.Utilisation * 100, 1)}% | {Mark(change <= -0.50)} {F(change * 100, 0)}% | {Mark(enterprise < 5)} {F(enterprise, 1)} s | {Mark(starved.Count == 0)} {(starved.Count == 0 ? "none" : string.Join(", ", starved))} |");
        }

        return text.ToString();
    }

    private static string Cell(PlanResult p) =>
        p.Served == 0 && p.WaitingAtEnd == 0 ? "–"
        : $"{F(p.WaitP50, 1)} / {F(p.WaitP95, 1)} ({F(p.WaitMax, 0)}{(p.WaitingAtEnd > 0 ? $"; {p.WaitingAtEnd}, {F(p.OldestWaitingAtEnd, 0)}" : "")})";

    private static string Mark(bool met) => met ? "met:" : "MISSED:";

    private static string F(double value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
