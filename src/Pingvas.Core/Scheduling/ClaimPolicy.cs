namespace Pingvas.Core.Scheduling;

/// <summary>
/// The worker asking for a job: the models it can serve, the one it has loaded, the models an
/// idle worker of a faster GPU class serves right now (<see cref="FasterIdle"/>; empty when none),
/// the LoRAs its engine holds (<see cref="HeldLoras"/>), and per model the LoRAs held by the other
/// idle workers serving it (<see cref="LoraHolders"/>; null or empty when none).
/// </summary>
public sealed record WorkerView(
    IReadOnlyCollection<string> Models,
    string? LoadedModel,
    IReadOnlySet<string>? FasterIdle = null,
    IReadOnlyCollection<Guid>? HeldLoras = null,
    IReadOnlyDictionary<string, IReadOnlySet<Guid>>? LoraHolders = null);

/// <summary>
/// The claim's settings: aging, how long affinity may pass a job over, how long a fresh job waits for
/// a faster idle worker, and how long a fresh job with LoRAs waits for an idle worker holding them (zero: never).
/// </summary>
public sealed record ClaimRules(AgingPolicy Aging, TimeSpan AffinityMaxDelay, TimeSpan FasterWorkerGrace, TimeSpan LoraHolderGrace = default)
{
    public static ClaimRules Default { get; } = new(AgingPolicy.Default, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
}

/// <summary>What a claim decided: the head to start, and the head it passed over (to stamp), if any.</summary>
public sealed record ClaimChoice(QueueHead Job, QueueHead? PassedOver);

/// <summary>
/// Which queued job a worker starts (PRODUCT.md §4 and issue 8). A worker sees only heads for models
/// it serves, and leaves a head that became ready less than <see cref="ClaimRules.FasterWorkerGrace"/>
/// ago to an idle worker of a faster GPU class serving its model: the fastest free class takes the job.
/// Likewise a head with LoRAs that became ready less than <see cref="ClaimRules.LoraHolderGrace"/> ago
/// is left to another idle worker serving its model that holds one of them, when this worker holds
/// none: the holder skips the download and the load (issue 11).
/// Among the rest the queue's order decides (<see cref="QueueOrder"/>: priority with aging, fair turns,
/// submission order), with two bounded exceptions that save model loads:
/// <list type="bullet">
/// <item>affinity: a worker with a model loaded takes the best job for that model before a head for
/// another model;</item>
/// <item>pressure: a worker that must load a model anyway loads the one with the most waiting owners
/// (counted up to <see cref="PressureDepth"/>) among the models whose next job is at the queue head's
/// effective priority, so priority is never inverted; ties go to the queue's order.</item>
/// </list>
/// Either may pass the queue's head over only while it has been passed over for less than
/// <see cref="ClaimRules.AffinityMaxDelay"/>: no job waits longer than that for them.
/// The PostgreSQL claim (Queue/ClaimSql) is this policy in SQL; ClaimOrderTests holds them equal.
/// </summary>
public static class ClaimPolicy
{
    /// <summary>How many heads per model the claim reads (and pressure counts at most).</summary>
    public const int PressureDepth = 8;

    public static ClaimChoice? Choose(IEnumerable<QueueHead> heads, WorkerView worker, DateTime now, ClaimRules rules)
    {
        var order = QueueOrder.Comparer(now, rules.Aging);
        // Per model: its best head and how many heads wait for it (up to the depth the claim reads).
        var models = new Dictionary<string, (QueueHead Best, int Waiting)>();
        QueueHead? first = null;
        foreach (var head in heads)
        {
            if (!head.CanStart(now) || !worker.Models.Contains(head.ModelId) || LeftToFaster(head, worker, now, rules) || LeftToHolder(head, worker, now, rules))
            {
                continue;
            }

            var known = models.TryGetValue(head.ModelId, out var model);
            var best = !known || order.Compare(head.AsCandidate(), model.Best.AsCandidate()) < 0 ? head : model.Best;
            models[head.ModelId] = (best, Math.Min(PressureDepth, model.Waiting + 1));
            if (first is null || order.Compare(head.AsCandidate(), first.AsCandidate()) < 0)
            {
                first = head;
            }
        }

        if (first is null)
        {
            return null;
        }

        var preferred = PreferredModel(models, first, worker, now, rules.Aging, order);
        if (preferred == first.ModelId || !MayPassOver(first, now, rules.AffinityMaxDelay))
        {
            return new ClaimChoice(first, null);
        }

        return new ClaimChoice(models[preferred].Best, first);
    }

    /// <summary>A head may be passed over until it has been passed over for the maximum delay.</summary>
    public static bool MayPassOver(QueueHead head, DateTime now, TimeSpan affinityMaxDelay) =>
        affinityMaxDelay > TimeSpan.Zero && (head.PassedOverAt is null || now - head.PassedOverAt < affinityMaxDelay);

    /// <summary>A fresh head whose model a faster idle worker serves waits (briefly) for that worker.</summary>
    public static bool LeftToFaster(QueueHead head, WorkerView worker, DateTime now, ClaimRules rules) =>
        worker.FasterIdle is { Count: > 0 } faster && faster.Contains(head.ModelId) && now - head.ReadyAt < rules.FasterWorkerGrace;

    /// <summary>
    /// A fresh head with LoRAs waits (briefly) for another idle worker serving its model that holds one
    /// of them, unless this worker holds one too.
    /// </summary>
    public static bool LeftToHolder(QueueHead head, WorkerView worker, DateTime now, ClaimRules rules) =>
        head.Loras is { Count: > 0 } loras
        && now - head.ReadyAt < rules.LoraHolderGrace
        && worker.LoraHolders is { } holders && holders.TryGetValue(head.ModelId, out var held)
        && loras.Any(held.Contains)
        && !(worker.HeldLoras is { Count: > 0 } mine && loras.Any(mine.Contains));

    /// <summary>The loaded model when it has work; else the model with the most pressure at the head's level.</summary>
    private static string PreferredModel(Dictionary<string, (QueueHead Best, int Waiting)> models, QueueHead first, WorkerView worker, DateTime now, AgingPolicy aging, IComparer<QueueCandidate> order)
    {
        if (worker.LoadedModel is { } loaded && models.ContainsKey(loaded))
        {
            return loaded;
        }

        var level = QueueOrder.EffectivePriority(first.AsCandidate(), now, aging);
        var preferred = first;
        var waiting = models[first.ModelId].Waiting;
        foreach (var (best, count) in models.Values)
        {
            // More waiting owners wins; a tie goes to the model whose best head is first in queue order.
            if (QueueOrder.EffectivePriority(best.AsCandidate(), now, aging) == level
                && (count > waiting || (count == waiting && order.Compare(best.AsCandidate(), preferred.AsCandidate()) < 0)))
            {
                (preferred, waiting) = (best, count);
            }
        }

        return preferred.ModelId;
    }
}
