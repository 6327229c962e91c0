using Pingvas.Core.Scheduling;

namespace Pingvas.FleetSim;

/// <summary>
/// A claim policy under test. Every policy is the real <see cref="ClaimPolicy.Choose"/>; the
/// baselines are it with rules switched off through its inputs: FIFO sees every head at one
/// priority with no aging, no fairness (no last-served times) and no affinity; priority-only keeps
/// plan priority. Running limits (a blocked head) and per-(user, model) heads apply to all.
/// </summary>
/// <paramref name="LoadedFirst"/>: idle workers that already hold the job's model claim before the
/// fastest ones (a proposed claim rule; production and the default are fastest first).
public sealed record SimPolicy(string Name, bool ByPriority, bool Fair, ClaimRules Rules, bool LoadedFirst = false)
{
    private static readonly ClaimRules Off = new(new AgingPolicy(StepSeconds: 0, MaxPriority: 0), TimeSpan.Zero, TimeSpan.Zero);

    public static SimPolicy Fifo { get; } = new("FIFO", ByPriority: false, Fair: false, Off);

    public static SimPolicy PriorityOnly { get; } = new("priority-only", ByPriority: true, Fair: false, Off);

    /// <summary>Production defaults: aging 60 s per level up to 10, affinity and pressure at most 10 s, 2 s for a faster worker.</summary>
    public static SimPolicy Ours { get; } = new("ours", ByPriority: true, Fair: true, ClaimRules.Default);

    public static SimPolicy Parse(string spec) => spec switch
    {
        "fifo" => Fifo,
        "priority" => PriorityOnly,
        "ours" => Ours,
        _ => ParseOurs(spec),
    };

    /// <summary>The head a worker sees for a job at the front of its (user, model) line.</summary>
    public QueueHead Head(SimJob job, UserState user) => new(
        job.Id,
        user.User.Id,
        job.Model,
        ByPriority ? user.User.Plan.Priority : 0,
        Clock.At(job.SubmittedAt),
        Fair ? user.LastServedAt : null,
        AvailableAt: null,
        job.PassedOverAt,
        Blocked: user.User.Plan.RunningLimit is { } limit && user.Running >= limit);

    public ClaimChoice? Choose(IEnumerable<QueueHead> heads, WorkerView worker, double now) =>
        ClaimPolicy.Choose(heads, worker, Clock.At(now), Rules);

    // "ours:max=9,affinity=5": our policy with other parameter values (never other code).
    private static SimPolicy ParseOurs(string spec)
    {
        if (!spec.StartsWith("ours:", StringComparison.Ordinal))
        {
            throw new ArgumentException($"unknown policy '{spec}' (fifo, priority, ours, ours:max=9,affinity=10,step=60,faster=2,loadedfirst=1)");
        }

        var policy = Ours with { Name = $"ours ({spec["ours:".Length..]})" };
        foreach (var part in spec["ours:".Length..].Split(','))
        {
            var pair = part.Split('=');
            if (pair.Length != 2)
            {
                throw new ArgumentException($"expected key=value, got '{part}' in '{spec}'");
            }

            var value = double.Parse(pair[1], System.Globalization.CultureInfo.InvariantCulture);
            policy = pair[0] switch
            {
                "max" => policy with { Rules = policy.Rules with { Aging = policy.Rules.Aging with { MaxPriority = (int)value } } },
                "step" => policy with { Rules = policy.Rules with { Aging = policy.Rules.Aging with { StepSeconds = value } } },
                "affinity" => policy with { Rules = policy.Rules with { AffinityMaxDelay = TimeSpan.FromSeconds(value) } },
                "faster" => policy with { Rules = policy.Rules with { FasterWorkerGrace = TimeSpan.FromSeconds(value) } },
                "loadedfirst" => policy with { LoadedFirst = value != 0 },
                _ => throw new ArgumentException($"unknown parameter '{pair[0]}' in '{spec}'"),
            };
        }

        return policy;
    }
}

/// <summary>Simulated seconds to the DateTimes the scheduling code takes.</summary>
public static class Clock
{
    private static readonly DateTime Epoch = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static DateTime At(double seconds) => Epoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
}
