using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

using Pingvas.FleetSim;

// Usage: Pingvas.FleetSim [--workers 24] [--users 300] [--hours 2] [--seed 8] [--spot-per-hour 1]
//   [--loads 0.5,0.9,1.0,2.0] [--policies "fifo;priority;ours;ours:max=9;ours:loadedfirst=1"] [--out bench/results] [--check]
var options = Options.Parse(args);
if (options.Check)
{
    return Checks.Run();
}

var clock = Stopwatch.StartNew();
var results = Runner.RunAll(options);
var markdown = Report.Markdown(options, results, clock.Elapsed);
Console.WriteLine(markdown);
Directory.CreateDirectory(options.Out);
await File.WriteAllTextAsync(Path.Combine(options.Out, "fleet.md"), markdown);
await File.WriteAllTextAsync(
    Path.Combine(options.Out, "fleet.json"),
    JsonSerializer.Serialize(new { options, results }, new JsonSerializerOptions { WriteIndented = true }));
return results.Any(r => r.Violations.Count > 0) ? 1 : 0;

namespace Pingvas.FleetSim
{
    public sealed record Options(
        int Workers,
        int Users,
        double Hours,
        int Seed,
        double SpotPerWorkerHour,
        IReadOnlyList<double> Loads,
        IReadOnlyList<string> Policies,
        string Out,
        bool Check)
    {
        public static Options Parse(string[] args)
        {
            string Value(string name, string fallback)
            {
                var i = Array.IndexOf(args, name);
                return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
            }

            static double Number(string s) => double.Parse(s, CultureInfo.InvariantCulture);
            return new Options(
                (int)Number(Value("--workers", "24")),
                (int)Number(Value("--users", "300")),
                Number(Value("--hours", "2")),
                (int)Number(Value("--seed", "8")),
                Number(Value("--spot-per-hour", "1")),
                Value("--loads", "0.5,0.9,1.0,2.0").Split(',').Select(Number).ToList(),
                Value("--policies", "fifo;priority;ours;ours:max=9;ours:loadedfirst=1").Split(';').ToList(),
                Value("--out", "bench/results"),
                args.Contains("--check"));
        }
    }

    public static class Runner
    {
        /// <summary>Every policy at every load; the workload of a load is generated once and shared.</summary>
        public static IReadOnlyList<ScenarioResult> RunAll(Options options)
        {
            var fleet = Fleet.Compose(options.Workers);
            var users = Arrivals.Users(options.Users);
            var seconds = options.Hours * 3600;
            var outages = Arrivals.Outages(options.Workers, options.SpotPerWorkerHour, seconds, options.Seed * 7919);
            var policies = options.Policies.Select(SimPolicy.Parse).ToList();
            var scenarios = new List<Scenario>();
            foreach (var load in options.Loads)
            {
                var rate = load * Arrivals.Capacity(fleet, options.SpotPerWorkerHour);
                var arrivals = Arrivals.Generate(users, rate, seconds, options.Seed + (int)Math.Round(load * 1000));
                scenarios.AddRange(policies.Select(p => new Scenario(p, load, seconds, fleet, users, arrivals, outages)));
            }

            // Scenarios share nothing mutable, so they may run side by side; results keep their order.
            var results = new ScenarioResult[scenarios.Count];
            Parallel.For(0, scenarios.Count, i => results[i] = new Simulation(scenarios[i]).Run());
            return results;
        }
    }
}
