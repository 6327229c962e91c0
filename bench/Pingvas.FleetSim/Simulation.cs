using Pingvas.Core.Scheduling;

namespace Pingvas.FleetSim;

/// <summary>What a scenario runs: the workload (shared by every policy) and the policy.</summary>
public sealed record Scenario(
    SimPolicy Policy,
    double Load,
    double Seconds,
    IReadOnlyList<GpuClass> Fleet,
    IReadOnlyList<SimUser> Users,
    IReadOnlyList<Arrival> Arrivals,
    IReadOnlyList<IReadOnlyList<SpotOutage>> Outages);

/// <summary>
/// The discrete-event simulation of one scenario. Events: arrivals, job finishes, Spot outages and
/// returns. After each, every idle worker asks <see cref="ClaimPolicy.Choose"/> for a job, in no
/// particular order (by index), as production workers claim when they are free; each sees the
/// models that idle workers of a faster class serve, as production reads them from the registry, so
/// "the fastest free class takes the job" is the policy's own rule, not the simulation's.
/// </summary>
public sealed class Simulation
{
    private enum Kind { Arrival, Finish, Outage, Return, Wake }

    private readonly record struct Event(Kind Kind, int Index, int Epoch);

    private readonly Scenario scenario;
    private readonly SimPolicy policy;
    private readonly PriorityQueue<Event, (double At, long Seq)> events = new();
    private readonly List<Worker> workers;
    private readonly UserState[] users;
    private readonly List<Line> active = [];
    private readonly Dictionary<Guid, SimJob> queued = [];
    private readonly Metrics metrics;
    private long eventSeq;
    private double nextWake = double.NegativeInfinity;

    public Simulation(Scenario scenario)
    {
        this.scenario = scenario;
        policy = scenario.Policy;
        users = scenario.Users.Select(u => new UserState(u)).ToArray();
        workers = scenario.Fleet.Select((gpu, i) => new Worker(i, gpu, scenario.Outages[i])).ToList();
        metrics = new Metrics(scenario);
    }

    public ScenarioResult Run()
    {
        for (var i = 0; i < scenario.Arrivals.Count; i++)
        {
            Push(scenario.Arrivals[i].At, new Event(Kind.Arrival, i, 0));
        }

        foreach (var worker in workers)
        {
            for (var k = 0; k < worker.Outages.Count; k++)
            {
                Push(worker.Outages[k].At, new Event(Kind.Outage, worker.Index, k));
            }
        }

        while (events.TryDequeue(out var e, out var key) && key.At < scenario.Seconds)
        {
            var now = key.At;
            switch (e.Kind)
            {
                case Kind.Arrival: Arrive(e.Index, now); break;
                case Kind.Finish: Finish(workers[e.Index], e.Epoch, now); break;
                case Kind.Outage: Interrupt(workers[e.Index], e.Epoch, now); break;
                case Kind.Return: Return(workers[e.Index], now); break;
                case Kind.Wake: break; // a deferred job's grace is over: claim again
            }

            ClaimIdle(now);
        }

        return metrics.Close(workers, queued.Values, scenario.Seconds);
    }

    private void Arrive(int index, double now)
    {
        var arrival = scenario.Arrivals[index];
        var user = users[arrival.User.Index];
        if (!user.Lines.TryGetValue(arrival.Model, out var line))
        {
            line = new Line(user);
            user.Lines[arrival.Model] = line;
        }

        var job = new SimJob(index, arrival.User, arrival.Model, now) { Line = line };
        line.Jobs.AddLast(job);
        queued[job.Id] = job;
        metrics.Arrived(job);
        Refresh(line);
    }

    private void ClaimIdle(double now)
    {
        if (policy.LoadedFirst)
        {
            ClaimIdle(now, loadedOnly: true);
        }

        ClaimIdle(now, loadedOnly: false);
    }

    private void ClaimIdle(double now, bool loadedOnly)
    {
        foreach (var worker in workers)
        {
            if (active.Count == 0)
            {
                return;
            }

            if (!worker.Up || worker.Job is not null)
            {
                continue;
            }

            var faster = FasterIdle(worker);
            if (faster.Count > 0 && policy.Rules.FasterWorkerGrace > TimeSpan.Zero && nextWake < now)
            {
                // Like a production worker's poll: a job left to a faster worker that did not take it is claimed after the grace.
                nextWake = now + policy.Rules.FasterWorkerGrace.TotalSeconds;
                Push(nextWake, new Event(Kind.Wake, 0, 0));
            }

            var choice = policy.Choose(active.Select(l => l.Head!), new WorkerView(worker.Gpu.Models, worker.Loaded, faster), now);
            if (choice is null || (loadedOnly && choice.Job.ModelId != worker.Loaded))
            {
                continue;
            }

            if (choice.PassedOver is { } passed && queued[passed.JobId] is { PassedOverAt: null } skipped)
            {
                skipped.PassedOverAt = Clock.At(now);
                metrics.PassedOver();
                Refresh(skipped.Line);
            }

            Start(worker, queued[choice.Job.JobId], now);
        }
    }

    /// <summary>What the registry would show this worker: models of idle, up workers of a faster class.</summary>
    private HashSet<string> FasterIdle(Worker worker)
    {
        var models = new HashSet<string>(StringComparer.Ordinal);
        foreach (var other in workers)
        {
            if (other.Up && other.Job is null && other.Gpu.Speed > worker.Gpu.Speed)
            {
                models.UnionWith(other.Gpu.Models);
            }
        }

        return models;
    }

    private void Start(Worker worker, SimJob job, double now)
    {
        var line = job.Line;
        metrics.Check(line.Jobs.First?.Value == job, "a job started that was not its line's first");
        metrics.Check(job.Seq > line.LastStartedSeq || job.QueuedSince > job.SubmittedAt, "a line's jobs started out of submission order");
        line.Jobs.RemoveFirst();
        line.LastStartedSeq = Math.Max(line.LastStartedSeq, job.Seq);
        queued.Remove(job.Id);
        job.Waited += now - job.QueuedSince;
        job.PassedOverAt = null;

        var owner = line.Owner;
        owner.Running++;
        owner.LastServedAt = Clock.At(now);
        metrics.Check(owner.User.Plan.RunningLimit is not { } limit || owner.Running <= limit, "a user ran more jobs than the plan allows");

        var seconds = job.Model == worker.Loaded ? 0 : worker.Gpu.LoadSeconds(job.Model);
        if (seconds > 0)
        {
            metrics.Loaded(worker.Loaded);
            worker.Loaded = job.Model;
        }

        worker.RunLoadSeconds = seconds;
        seconds += worker.Gpu.ServiceSeconds(job.Model);
        worker.Job = job;
        worker.BusySince = now;
        worker.Epoch++;
        Push(now + seconds, new Event(Kind.Finish, worker.Index, worker.Epoch));
        RefreshUser(owner);
    }

    private void Finish(Worker worker, int epoch, double now)
    {
        if (epoch != worker.Epoch || worker.Job is not { } job)
        {
            return; // the run was cut short by a Spot interruption
        }

        worker.BusySeconds += now - worker.BusySince;
        worker.LoadingSeconds += worker.RunLoadSeconds;
        worker.Job = null;
        var owner = users[job.User.Index];
        owner.Running--;
        metrics.Completed(job);
        RefreshUser(owner);
    }

    // Like the lifecycle's hand-back: the job is queued again at once, in its submission place.
    private void Interrupt(Worker worker, int outage, double now)
    {
        if (worker.Job is { } job)
        {
            worker.BusySeconds += now - worker.BusySince;
            worker.LoadingSeconds += Math.Min(worker.RunLoadSeconds, now - worker.BusySince);
            worker.Job = null;
            job.QueuedSince = now;
            job.Line.Insert(job);
            queued[job.Id] = job;
            var owner = users[job.User.Index];
            owner.Running--;
            metrics.HandedBack();
            RefreshUser(owner);
        }

        worker.UpSeconds += now - worker.UpSince;
        worker.Up = false;
        worker.Loaded = null;
        worker.Epoch++;
        Push(now + worker.Outages[outage].DownFor, new Event(Kind.Return, worker.Index, 0));
    }

    private void Return(Worker worker, double now)
    {
        worker.Up = true;
        worker.UpSince = now;
    }

    private void RefreshUser(UserState user)
    {
        foreach (var line in user.Lines.Values)
        {
            Refresh(line);
        }
    }

    // Keeps the line's head (and its place among the active lines) in step with its first job and owner.
    private void Refresh(Line line)
    {
        if (line.Jobs.First is { } first)
        {
            line.Head = policy.Head(first.Value, line.Owner);
            if (!line.Active)
            {
                line.Active = true;
                active.Add(line);
            }
        }
        else if (line.Active)
        {
            line.Active = false;
            line.Head = null;
            active.Remove(line);
        }
    }

    private void Push(double at, Event e) => events.Enqueue(e, (at, eventSeq++));
}
