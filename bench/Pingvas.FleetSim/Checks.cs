namespace Pingvas.FleetSim;

/// <summary>
/// Self-checks of the simulator's own mechanics (`--check`), on a small fleet so they run in a
/// second: determinism, identical workloads, conservation of jobs, the rules the real code must keep.
/// </summary>
public static class Checks
{
    public static int Run()
    {
        var failures = new List<string>();
        void Expect(bool condition, string what)
        {
            Console.WriteLine($"{(condition ? "ok  " : "FAIL")} {what}");
            if (!condition)
            {
                failures.Add(what);
            }
        }

        var options = Options.Parse(["--workers", "12", "--users", "100", "--hours", "0.5", "--loads", "0.9,2.0", "--spot-per-hour", "2"]);
        var first = Runner.RunAll(options);
        var second = Runner.RunAll(options);
        Expect(first.Select(Key).SequenceEqual(second.Select(Key)), "the same seed gives the same results");

        var users = Arrivals.Users(300);
        var arrivals = Arrivals.Generate(users, 5, 3600, 1);
        Expect(Math.Abs(arrivals.Count - 18000) < 5 * Math.Sqrt(18000), "Poisson arrivals: count within 5 sigma of rate × time");
        Expect(arrivals.All(a => a.User.Plan.MayUseFlux || a.Model != Fleet.FluxDev), "no FLUX jobs below Pro");
        var enterpriseShare = arrivals.Count(a => a.User.Plan.Name == "Enterprise") / (double)arrivals.Count;
        Expect(Math.Abs(enterpriseShare - 0.03) < 0.01, "plan mix: Enterprise about 3% of arrivals");

        foreach (var r in first)
        {
            var queuedOrRunning = r.Plans.Sum(p => p.WaitingAtEnd);
            Expect(r.Violations.Count == 0, $"{r.Policy} at {r.Load}×: running limits and per-(user, model) order held ({string.Join("; ", r.Violations)})");
            Expect(r.Completed + queuedOrRunning <= r.Arrived && r.Arrived - r.Completed - queuedOrRunning <= options.Workers, $"{r.Policy} at {r.Load}×: every job is done, queued or running on one of {options.Workers} workers");
            Expect(r.Utilisation is > 0 and <= 1, $"{r.Policy} at {r.Load}×: utilisation within (0, 1]");
            Expect(r.RenderingShare > 0 && r.RenderingShare < r.Utilisation, $"{r.Policy} at {r.Load}×: rendering is part of the busy time, loads the rest");
            Expect(r.HandBacks > 0, $"{r.Policy} at {r.Load}×: Spot interruptions handed jobs back");
        }

        Expect(first.Where(r => r.Policy is "FIFO" or "priority-only").All(r => r.PassedOver == 0), "the baselines never pass a head over for affinity");
        Expect(first.Where(r => r.Policy == "ours").All(r => r.PassedOver > 0), "our policy passes heads over for affinity");
        Expect(
            first.Where(r => r.Policy == "ours").All(ours => ours.Swaps < first.Single(r => r.Policy == "FIFO" && r.Load == ours.Load).Swaps),
            "affinity swaps models less often than FIFO at every load");
        var fifoOverload = first.Single(r => r.Policy == "FIFO" && r.Load == 2.0);
        var priorityOverload = first.Single(r => r.Policy == "priority-only" && r.Load == 2.0);
        Expect(
            priorityOverload.Plans.Single(p => p.Plan == "Enterprise").WaitP95 < fifoOverload.Plans.Single(p => p.Plan == "Enterprise").WaitP95,
            "in overload, priority serves Enterprise sooner than FIFO does");

        Console.WriteLine($"{failures.Count} failed");
        return failures.Count == 0 ? 0 : 1;
    }

    private static string Key(ScenarioResult r) => System.Text.Json.JsonSerializer.Serialize(r);
}
