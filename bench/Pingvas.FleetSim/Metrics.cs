namespace Pingvas.FleetSim;

public sealed record PlanResult(
    string Plan,
    int Arrived,
    int Served,
    double WaitP50,
    double WaitP95,
    double WaitMax,
    int WaitingAtEnd,
    double OldestWaitingAtEnd,
    bool Starved);

public sealed record ScenarioResult(
    string Policy,
    double Load,
    double ArrivalsPerSecond,
    int Arrived,
    int Completed,
    double ThroughputPerMinute,
    double Utilisation,
    double RenderingShare,
    int ModelLoads,
    int Swaps,
    double SwapsPer1000Jobs,
    int HandBacks,
    int PassedOver,
    double SpotCostUsd,
    double SpotCostPer1000Images,
    double OnDemandCostPer1000Images,
    IReadOnlyList<PlanResult> Plans,
    IReadOnlyList<string> Violations);

/// <summary>
/// Counts one scenario. Wait = time queued before a worker claims the job (summed over attempts
/// after a Spot hand-back); model loading after the claim counts as GPU busy time, not wait.
/// </summary>
public sealed class Metrics(Scenario scenario)
{
    private readonly Dictionary<string, List<double>> waits = Arrivals.Plans.ToDictionary(p => p.Name, _ => new List<double>());
    private readonly Dictionary<string, int> arrived = Arrivals.Plans.ToDictionary(p => p.Name, _ => 0);
    private readonly HashSet<string> violations = [];
    private int loads;
    private int swaps;
    private int handBacks;
    private int passedOver;

    public void Arrived(SimJob job) => arrived[job.User.Plan.Name]++;

    public void Completed(SimJob job) => waits[job.User.Plan.Name].Add(job.Waited);

    /// <summary>Every load counts; a swap is a load that replaces a loaded model (not a cold load after start or an outage).</summary>
    public void Loaded(string? replacing)
    {
        loads++;
        if (replacing is not null)
        {
            swaps++;
        }
    }

    public void HandedBack() => handBacks++;

    public void PassedOver() => passedOver++;

    public void Check(bool condition, string rule)
    {
        if (!condition)
        {
            violations.Add(rule);
        }
    }

    public ScenarioResult Close(IReadOnlyList<Worker> workers, IEnumerable<SimJob> stillQueued, double end)
    {
        double busy = 0, loading = 0, up = 0, spotCost = 0, onDemandCost = 0;
        foreach (var worker in workers)
        {
            var busySeconds = worker.BusySeconds + (worker.Job is not null ? end - worker.BusySince : 0);
            var upSeconds = worker.UpSeconds + (worker.Up ? end - worker.UpSince : 0);
            busy += busySeconds;
            loading += worker.LoadingSeconds + (worker.Job is not null ? Math.Min(worker.RunLoadSeconds, end - worker.BusySince) : 0);
            up += upSeconds;

            // An interrupted Spot instance is not billed while it is gone.
            spotCost += upSeconds / 3600 * worker.Gpu.SpotPerHour;
            onDemandCost += upSeconds / 3600 * worker.Gpu.OnDemandPerHour;
        }

        var waiting = stillQueued.GroupBy(j => j.User.Plan.Name).ToDictionary(g => g.Key, g => g.Select(j => j.Waited + (end - j.QueuedSince)).ToList());
        var plans = Arrivals.Plans.Select(p => PlanResultOf(p.Name, waiting.GetValueOrDefault(p.Name) ?? [], end)).ToList();
        var completed = waits.Values.Sum(w => w.Count);
        var per1000 = completed == 0 ? 0 : 1000.0 / completed;
        return new ScenarioResult(
            scenario.Policy.Name,
            scenario.Load,
            scenario.Arrivals.Count / scenario.Seconds,
            scenario.Arrivals.Count,
            completed,
            completed / (end / 60),
            up == 0 ? 0 : busy / up,
            up == 0 ? 0 : (busy - loading) / up,
            loads,
            swaps,
            swaps * per1000,
            handBacks,
            passedOver,
            spotCost,
            spotCost * per1000,
            onDemandCost * per1000,
            plans,
            violations.Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>
    /// Starved: jobs waiting and none served, or a job still waiting at the end after more than a
    /// quarter of the run — a wait that grows with the run's length, not with the load.
    /// </summary>
    private PlanResult PlanResultOf(string plan, List<double> stillWaiting, double end)
    {
        var served = waits[plan];
        served.Sort();
        var oldest = stillWaiting.Count == 0 ? 0 : stillWaiting.Max();
        var max = served.Count == 0 ? 0 : served[^1];
        var starved = (served.Count == 0 && stillWaiting.Count > 0) || oldest > end / 4;
        return new PlanResult(plan, arrived[plan], served.Count, Percentile(served, 0.50), Percentile(served, 0.95), max, stillWaiting.Count, oldest, starved);
    }

    private static double Percentile(List<double> sorted, double q)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(q * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }
}
