namespace Pingvas.FleetSim;

/// <summary>A plan as the scheduler sees it (PRODUCT.md §2 and §4) and its share of arrivals.</summary>
public sealed record Plan(string Name, int Priority, int? RunningLimit, double ArrivalShare, bool MayUseFlux);

public sealed record SimUser(int Index, Guid Id, Plan Plan);

public sealed record Arrival(double At, SimUser User, string Model);

/// <summary>A Spot interruption: the worker vanishes at <paramref name="At"/> for <paramref name="DownFor"/> seconds.</summary>
public sealed record SpotOutage(double At, double DownFor);

/// <summary>Seeded workloads: users, Poisson arrivals and Spot interruptions, identical for every policy.</summary>
public static class Arrivals
{
    public static readonly IReadOnlyList<Plan> Plans =
    [
        new("Free", 2, 1, 0.50, false),
        new("Starter", 4, 1, 0.25, false),
        new("Pro", 6, 1, 0.15, true),
        new("Studio", 8, 3, 0.07, true),
        new("Enterprise", 10, null, 0.03, true),
    ];

    // Model mix of a plan that may use FLUX; the others draw SD 1.5 and SDXL in the same 40:35 ratio.
    private const double Sd15Share = 0.40;
    private const double SdxlShare = 0.35;
    private const double MeanOutageSeconds = 180;

    /// <summary>Users per plan in proportion to the plan's share of arrivals, so every user submits at the same rate.</summary>
    public static IReadOnlyList<SimUser> Users(int count)
    {
        var users = new List<SimUser>();
        foreach (var plan in Plans)
        {
            var n = Math.Max(1, (int)Math.Round(plan.ArrivalShare * count));
            for (var i = 0; i < n; i++)
            {
                users.Add(new SimUser(users.Count, Ids.User(users.Count), plan));
            }
        }

        return users;
    }

    public static IReadOnlyList<Arrival> Generate(IReadOnlyList<SimUser> users, double perSecond, double seconds, int seed)
    {
        var random = new Random(seed);
        var byPlan = Plans.ToDictionary(p => p, p => users.Where(u => u.Plan == p).ToList());
        var arrivals = new List<Arrival>();
        for (var t = Exponential(random, perSecond); t < seconds; t += Exponential(random, perSecond))
        {
            var plan = PickPlan(random);
            var planUsers = byPlan[plan];
            var user = planUsers[random.Next(planUsers.Count)];
            arrivals.Add(new Arrival(t, user, PickModel(random, plan)));
        }

        return arrivals;
    }

    /// <summary>Per worker, its interruptions: Poisson while up, each down for 2 to 4 minutes.</summary>
    public static IReadOnlyList<IReadOnlyList<SpotOutage>> Outages(int workers, double perWorkerHour, double seconds, int seed)
    {
        var random = new Random(seed);
        var all = new List<IReadOnlyList<SpotOutage>>();
        for (var w = 0; w < workers; w++)
        {
            var outages = new List<SpotOutage>();
            if (perWorkerHour > 0)
            {
                for (var t = Exponential(random, perWorkerHour / 3600); t < seconds;)
                {
                    var down = MeanOutageSeconds - 60 + (random.NextDouble() * 120);
                    outages.Add(new SpotOutage(t, down));
                    t += down + Exponential(random, perWorkerHour / 3600);
                }
            }

            all.Add(outages);
        }

        return all;
    }

    /// <summary>
    /// The fleet's capacity in jobs per second: its A10G-equivalents over the mean A10G service
    /// time of the mix, times the share of time a worker is up between Spot outages. Model loads
    /// are left out (they depend on the policy), so at 1.0× any policy that loads models is past
    /// what the fleet can do.
    /// </summary>
    public static double Capacity(IReadOnlyList<GpuClass> fleet, double outagesPerWorkerHour)
    {
        var meanSeconds = Plans.Sum(p => p.ArrivalShare * Fleet.Models.Sum(m => ModelShare(p, m) * Fleet.ServiceSecondsOnA10g(m)));
        var upShare = 1 / (1 + (outagesPerWorkerHour * MeanOutageSeconds / 3600));
        return fleet.Sum(c => c.Speed) / meanSeconds * upShare;
    }

    public static double ModelShare(Plan plan, string model)
    {
        var sdOnly = Sd15Share + SdxlShare;
        return model switch
        {
            Fleet.Sd15 => plan.MayUseFlux ? Sd15Share : Sd15Share / sdOnly,
            Fleet.Sdxl => plan.MayUseFlux ? SdxlShare : SdxlShare / sdOnly,
            Fleet.FluxDev => plan.MayUseFlux ? 1 - sdOnly : 0,
            _ => 0,
        };
    }

    private static Plan PickPlan(Random random)
    {
        var r = random.NextDouble();
        foreach (var plan in Plans)
        {
            if (r < plan.ArrivalShare)
            {
                return plan;
            }

            r -= plan.ArrivalShare;
        }

        return Plans[^1];
    }

    private static string PickModel(Random random, Plan plan)
    {
        var r = random.NextDouble();
        foreach (var model in Fleet.Models)
        {
            var share = ModelShare(plan, model);
            if (r < share)
            {
                return model;
            }

            r -= share;
        }

        return Fleet.Sd15;
    }

    private static double Exponential(Random random, double rate) => -Math.Log(1 - random.NextDouble()) / rate;
}

/// <summary>Deterministic ids: the queue's last tie-break is the job id, so it must not be random per run.</summary>
public static class Ids
{
    public static Guid Job(int seq) => new(seq, 0, 0, [0, 0, 0, 0, 0, 0, 0, 1]);

    public static Guid User(int index) => new(index, 0, 0, [0, 0, 0, 0, 0, 0, 0, 2]);
}
