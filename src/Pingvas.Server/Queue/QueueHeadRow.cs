using Pingvas.Core.Scheduling;

namespace Pingvas.Server.Queue;

/// <summary>
/// A row of <c>queue_heads</c>: the next job of one user for one model (see <see cref="QueueHeads"/>).
/// Derived from <c>jobs</c> and kept in step by the job lifecycle; <see cref="QueueHeads.RebuildAsync"/> recomputes it.
/// </summary>
public sealed class QueueHeadRow
{
    public Guid UserId { get; set; }

    public required string ModelId { get; set; }

    public Guid JobId { get; set; }

    /// <summary>The job's plan priority.</summary>
    public int Priority { get; set; }

    /// <summary>The job's submission time.</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When the owner last had a job started.</summary>
    public DateTime? ServedAt { get; set; }

    public DateTime? AvailableAt { get; set; }

    public DateTime? PassedOverAt { get; set; }

    /// <summary>The owner is at the plan's running limit (set by a claim, cleared when one of the owner's jobs stops running).</summary>
    public bool Blocked { get; set; }

    /// <summary>The aged priority as of the last aging; the claim's order index reads it.</summary>
    public int Effective { get; set; }

    /// <summary>When <see cref="Effective"/> rises next; null at the top level or without aging.</summary>
    public DateTime? NextAgeAt { get; set; }

    /// <summary>The job's LoRA ids as <see cref="Workers.WorkerLoras"/> joins them (null: none), for the claim's LoRA-holder rule.</summary>
    public string? Loras { get; set; }

    public QueueHead ToHead(bool blocked) =>
        new(JobId, UserId, ModelId, Priority, CreatedAt, ServedAt, AvailableAt, PassedOverAt, blocked, Workers.WorkerLoras.Split(Loras));

    /// <summary>Sets <see cref="Effective"/> and <see cref="NextAgeAt"/> as of <paramref name="now"/>, as <see cref="QueueOrder.EffectivePriority"/> ages.</summary>
    public void Age(DateTime now, AgingPolicy aging)
    {
        Effective = QueueOrder.EffectivePriority(ToHead(false).AsCandidate(), now, aging);
        var waitingSince = ServedAt is { } served && served > CreatedAt ? served : CreatedAt;
        NextAgeAt = aging.StepSeconds <= 0 || Effective >= aging.MaxPriority
            ? null
            : waitingSince.AddSeconds((Effective - Priority + 1) * aging.StepSeconds);
    }
}
