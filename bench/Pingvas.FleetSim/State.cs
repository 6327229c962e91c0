using Pingvas.Core.Scheduling;

namespace Pingvas.FleetSim;

public sealed class SimJob(int seq, SimUser user, string model, double submittedAt)
{
    public int Seq { get; } = seq;
    public Guid Id { get; } = Ids.Job(seq);
    public SimUser User { get; } = user;
    public string Model { get; } = model;
    public double SubmittedAt { get; } = submittedAt;
    public double QueuedSince { get; set; } = submittedAt;

    /// <summary>Time spent queued, summed over attempts (a Spot hand-back queues it again).</summary>
    public double Waited { get; set; }

    public DateTime? PassedOverAt { get; set; }
    public Line Line { get; set; } = null!;
}

/// <summary>One user's queued jobs for one model, in submission order; only the first is a head.</summary>
public sealed class Line(UserState owner)
{
    public UserState Owner { get; } = owner;
    public LinkedList<SimJob> Jobs { get; } = new();
    public QueueHead? Head { get; set; }
    public bool Active { get; set; }
    public int LastStartedSeq { get; set; } = -1;

    /// <summary>A handed-back job goes back in submission order (it is older than what queued behind it).</summary>
    public void Insert(SimJob job)
    {
        var node = Jobs.First;
        while (node is not null && node.Value.Seq < job.Seq)
        {
            node = node.Next;
        }

        if (node is null)
        {
            Jobs.AddLast(job);
        }
        else
        {
            Jobs.AddBefore(node, job);
        }
    }
}

public sealed class UserState(SimUser user)
{
    public SimUser User { get; } = user;
    public int Running { get; set; }
    public DateTime? LastServedAt { get; set; }
    public Dictionary<string, Line> Lines { get; } = [];
}

public sealed class Worker(int index, GpuClass gpu, IReadOnlyList<SpotOutage> outages)
{
    public int Index { get; } = index;
    public GpuClass Gpu { get; } = gpu;
    public IReadOnlyList<SpotOutage> Outages { get; } = outages;
    public string? Loaded { get; set; }
    public bool Up { get; set; } = true;
    public SimJob? Job { get; set; }
    public int Epoch { get; set; }
    public double BusySince { get; set; }
    public double UpSince { get; set; }
    public double BusySeconds { get; set; }

    /// <summary>Of the busy time, seconds spent loading models (the current run's load: <see cref="RunLoadSeconds"/>).</summary>
    public double LoadingSeconds { get; set; }
    public double RunLoadSeconds { get; set; }
    public double UpSeconds { get; set; }
}
