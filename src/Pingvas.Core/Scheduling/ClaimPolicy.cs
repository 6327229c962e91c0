namespace Pingvas.Core.Scheduling;

/// <summary>The worker asking for a job: the models it can serve and the one it has loaded.</summary>
public sealed record WorkerView(IReadOnlyCollection<string> Models, string? LoadedModel);

/// <summary>What a claim decided: the head to start, and the head it passed over for affinity (to stamp), if any.</summary>
public sealed record ClaimChoice(QueueHead Job, QueueHead? PassedOver);

/// <summary>
/// Which queued job a worker starts (PRODUCT.md §4 and issue 8): only jobs for models it serves;
/// among those, the queue's order (<see cref="QueueOrder"/>: priority with aging, fair turns,
/// submission order) — except that a worker with a model loaded prefers the best job for that model
/// over a head for another model, as long as that head has been passed over for less than
/// <paramref name="affinityMaxDelay"/>: no job waits more than that for another model's affinity.
/// With nothing for its loaded model, a worker takes the queue's head, loading its model.
/// The PostgreSQL claim (Queue/JobClaimer) is this policy in SQL; ClaimOrderTests holds them equal.
/// </summary>
public static class ClaimPolicy
{
    public static ClaimChoice? Choose(IEnumerable<QueueHead> heads, WorkerView worker, DateTime now, AgingPolicy aging, TimeSpan affinityMaxDelay)
    {
        var order = QueueOrder.Comparer(now, aging);
        QueueHead? first = null, firstLoaded = null;
        foreach (var head in heads)
        {
            if (!head.CanStart(now) || !worker.Models.Contains(head.ModelId))
            {
                continue;
            }

            if (first is null || order.Compare(head.AsCandidate(), first.AsCandidate()) < 0)
            {
                first = head;
            }

            if (head.ModelId == worker.LoadedModel && (firstLoaded is null || order.Compare(head.AsCandidate(), firstLoaded.AsCandidate()) < 0))
            {
                firstLoaded = head;
            }
        }

        if (first is null)
        {
            return null;
        }

        if (firstLoaded is null || firstLoaded == first || !MayPassOver(first, now, affinityMaxDelay))
        {
            return new ClaimChoice(first, null);
        }

        return new ClaimChoice(firstLoaded, first);
    }

    /// <summary>A head may be passed over for affinity until it has been passed over for the maximum delay.</summary>
    public static bool MayPassOver(QueueHead head, DateTime now, TimeSpan affinityMaxDelay) =>
        affinityMaxDelay > TimeSpan.Zero && (head.PassedOverAt is null || now - head.PassedOverAt < affinityMaxDelay);
}
