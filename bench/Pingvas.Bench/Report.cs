using System.Globalization;
using System.Text;

namespace Pingvas.Bench;

/// <summary>The markdown tables of docs/benchmarks.md, from the result files of both systems.</summary>
public static class Report
{
    public static string Build(List<Measurement> all)
    {
        var ours = all.Where(m => m.System == "pingvas").ToList();
        var bull = all.Where(m => m.System == "bullmq").ToList();
        var md = new StringBuilder();

        md.AppendLine("| measurement | Pingvas (PostgreSQL queue) | BullMQ (Redis) |");
        md.AppendLine("|---|---|---|");
        foreach (var c in ours.Where(m => m.Bench == "submit").Select(m => m.Concurrency).Union(bull.Where(m => m.Bench == "enqueue").Select(m => m.Concurrency)).OfType<int>().OrderByDescending(c => c))
        {
            var s = ours.FirstOrDefault(m => m.Bench == "submit" && m.Concurrency == c);
            var e = bull.FirstOrDefault(m => m.Bench == "enqueue" && m.Concurrency == c);
            md.AppendLine(CultureInfo.InvariantCulture, $"| enqueue, {c} in flight: ops/s | {Rate(s)} (POST /generations) | {Rate(e)} (queue.add) |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| enqueue, {c} in flight: latency p50 / p99 / max | {Lat(s?.Latency)} | {Lat(e?.Latency)} |");
        }

        foreach (var w in Workers(all, "drain-claims", "drain-runner", "drain"))
        {
            var claims = ours.FirstOrDefault(m => m.Bench == "drain-claims" && m.Workers == w);
            var runner = ours.FirstOrDefault(m => m.Bench == "drain-runner" && m.Workers == w);
            var drain = bull.FirstOrDefault(m => m.Bench == "drain" && m.Workers == w);
            var jobs = claims?.Count ?? runner?.Count ?? drain?.Count;
            md.AppendLine(CultureInfo.InvariantCulture, $"| drain {jobs} prioritised jobs, {w} worker(s): jobs/s | {Rate(claims)} claim-only · {Rate(runner)} full runner | {Rate(drain)} |");
        }

        foreach (var w in Workers(all, "steady"))
        {
            var s = ours.FirstOrDefault(m => m.Bench == "steady" && m.Workers == w);
            var b = bull.FirstOrDefault(m => m.Bench == "steady" && m.Workers == w);
            var rate = s?.Rate ?? b?.Rate;
            md.AppendLine(CultureInfo.InvariantCulture, $"| steady {F(rate)} jobs/s, {w} worker(s): enqueue→start p50 / p99 / max | {Lat(s?.StartLatency)} | {Lat(b?.StartLatency)} |");
        }

        // Database time per job from the uncontended runs (one request in flight, one worker): with
        // more in flight the client-side times also hold the wait for a CPU on this 2-core machine.
        var submitDb = ours.Where(m => m.Bench == "submit").OrderBy(m => m.Concurrency).FirstOrDefault();
        var claimDb = ours.Where(m => m.Bench == "drain-claims").OrderBy(m => m.Workers).FirstOrDefault();
        var runnerDb = ours.Where(m => m.Bench == "drain-runner").OrderBy(m => m.Workers).FirstOrDefault();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| database time per job, uncontended (client-side: statements + commits) | submit {Db(submitDb)} ({submitDb?.Concurrency} in flight) · claim-only {Db(claimDb)} · claim + runner {Db(runnerDb)} ({claimDb?.Workers} worker) | — |");
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| PostgreSQL active time per job (server-side, pg_stat_database) | submit {Pg(submitDb)} · claim-only {Pg(claimDb)} · claim + runner {Pg(runnerDb)} | — |");

        md.AppendLine();
        md.AppendLine("| target | measured | verdict |");
        md.AppendLine("|---|---|---|");
        var submits = ours.Where(m => m.Bench == "submit").OrderByDescending(m => m.Throughput).ToList();
        var bestSubmit = submits.FirstOrDefault(m => m.Latency?.P99 < 50) ?? submits.FirstOrDefault();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| ≥ 2,000 submissions/s with p99 < 50 ms | {string.Join("; ", submits.OrderByDescending(m => m.Concurrency).Select(m => $"{Rate(m)} /s, p99 {F(m.Latency?.P99)} ms at {m.Concurrency} in flight"))} | {Verdict(bestSubmit is { Throughput: >= 2000, Latency.P99: < 50 })} |");
        var steady = ours.Where(m => m.Bench == "steady").OrderBy(m => m.Workers).ToList();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| enqueue→start p99 < 50 ms | {string.Join("; ", steady.Select(m => $"{F(m.StartLatency?.P99)} ms ({m.Workers} w)"))} | {Verdict(steady.Count > 0 && steady.All(m => m.StartLatency?.P99 < 50))} |");
        var pairs = Workers(all, "drain-claims", "drain").Select(w => (W: w,
            Ours: ours.FirstOrDefault(m => m.Bench == "drain-claims" && m.Workers == w), Runner: ours.FirstOrDefault(m => m.Bench == "drain-runner" && m.Workers == w),
            Theirs: bull.FirstOrDefault(m => m.Bench == "drain" && m.Workers == w))).Where(p => p.Ours is not null && p.Theirs is not null).ToList();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| our queue's throughput ≥ BullMQ's | {string.Join("; ", pairs.Select(p => $"{p.W} w: {Rate(p.Ours)} vs {Rate(p.Theirs)} ({Ratio(p.Ours, p.Theirs)})"))} | {Verdict(pairs.Count > 0 && pairs.All(p => p.Ours!.Throughput >= p.Theirs!.Throughput))} |");
        var dbs = new[] { ("submit", submitDb), ("claim", claimDb), ("claim + runner", runnerDb) }.Where(d => d.Item2 is not null).ToList();
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| database time per job < 2 ms | {string.Join("; ", dbs.Select(d => $"{d.Item1} {Db(d.Item2)}"))} | {Verdict(dbs.Count > 0 && dbs.All(d => d.Item2!.Extra!["dbMsPerJob"] < 2))} |");

        md.AppendLine();
        md.AppendLine("<details><summary>Every measurement of the run</summary>");
        md.AppendLine();
        md.AppendLine("| system | bench | workers | in flight / rate | ops | errors | s | ops/s | latency p50 / p90 / p99 / max ms | enqueue→start p50 / p99 / max ms | db ms/job (cmds) | pg active ms/job | idle-in-tx ms/job | process CPU ms/job | postgres CPU ms/job | machine busy % | other load % |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var m in all)
        {
            var x = m.Extra ?? [];
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {m.System} | {m.Bench} | {m.Workers?.ToString(CultureInfo.InvariantCulture) ?? ""} | {(m.Rate is { } r ? $"{F(r)}/s" : m.Concurrency?.ToString(CultureInfo.InvariantCulture))} | {m.Count} | {m.Errors} | {F(m.Seconds, "0.0")} | {F(m.Throughput)} | {Lat4(m.Latency)} | {Lat(m.StartLatency)} | {X(x, "dbMsPerJob")}{(x.TryGetValue("dbCommandsPerJob", out var c) ? $" ({F(c, "0.#")})" : "")} | {X(x, "pgActiveMsPerJob")} | {X(x, "pgIdleInTxMsPerJob")} | {X(x, "processCpuMsPerJob")} | {X(x, "postgresCpuMsPerJob")} | {X(x, "machineBusyPercent", "0")} | {X(x, "otherPercent", "0")} |");
        }

        md.AppendLine();
        md.AppendLine("</details>");
        return md.ToString();
    }

    private static IEnumerable<int> Workers(IEnumerable<Measurement> all, params string[] benches) =>
        all.Where(m => benches.Contains(m.Bench)).Select(m => m.Workers).OfType<int>().Distinct().Order();

    private static string Verdict(bool met) => met ? "**met**" : "**missed**";

    private static string F(double? v, string format = "0") => v?.ToString(format, CultureInfo.InvariantCulture) ?? "—";

    private static string Rate(Measurement? m) => m is null ? "—" : F(m.Throughput) + (m.Errors > 0 ? $" ({m.Errors} errors)" : "");

    private static string Ratio(Measurement? a, Measurement? b) => a is null || b is null || b.Throughput == 0 ? "—" : $"{(a.Throughput / b.Throughput).ToString("0.00", CultureInfo.InvariantCulture)}×";

    private static string Lat(LatencySummary? l) => l is null ? "—" : $"{F(l.P50, "0.0")} / {F(l.P99, "0.0")} / {F(l.Max, "0")} ms";

    private static string Lat4(LatencySummary? l) => l is null ? "" : $"{F(l.P50, "0.0")} / {F(l.P90, "0.0")} / {F(l.P99, "0.0")} / {F(l.Max, "0")}";

    private static string Db(Measurement? m) => m?.Extra is { } x && x.TryGetValue("dbMsPerJob", out var v) ? $"{F(v, "0.00")} ms" : "—";

    private static string Pg(Measurement? m) => m?.Extra is { } x && x.TryGetValue("pgActiveMsPerJob", out var v) ? $"{F(v, "0.00")} ms" : "—";

    private static string X(Dictionary<string, double> x, string key, string format = "0.00") => x.TryGetValue(key, out var v) ? F(v, format) : "";
}
