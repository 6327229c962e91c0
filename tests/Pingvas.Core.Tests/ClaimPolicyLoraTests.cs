using Pingvas.Core.Scheduling;

namespace Pingvas.Core.Tests;

/// <summary>
/// Rule 9 of the claim (docs/architecture.md, "LoRA holders"): a fresh head with LoRAs is left
/// briefly to another idle worker serving its model that holds one of them, when the asking worker
/// holds none; older heads, heads without LoRAs and heads nobody idle holds are never held back.
/// </summary>
public sealed class ClaimPolicyLoraTests
{
    private static readonly DateTime Now = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly ClaimRules Rules = new(new AgingPolicy(60), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
    private static readonly string[] AllModels = ["sd-1.5", "sdxl-1.0", "flux-dev"];
    private static readonly Guid Style = Guid.NewGuid();
    private static readonly Guid Face = Guid.NewGuid();

    /// <summary>Another idle worker serving sd-1.5 holds <see cref="Style"/>; this one holds nothing.</summary>
    private static readonly WorkerView NonHolder = new(AllModels, "sd-1.5", LoraHolders: Holders("sd-1.5", Style));

    [Fact]
    public void A_fresh_head_is_left_to_an_idle_holder_and_the_next_head_goes_instead()
    {
        var fresh = Head("sd-1.5", priority: 6, waited: 1, Style, Face);
        var other = Head("sdxl-1.0", priority: 2, waited: 30);

        Assert.Null(ClaimPolicy.Choose([fresh], NonHolder, Now, Rules));
        Assert.Equal(new ClaimChoice(other, null), ClaimPolicy.Choose([fresh, other], NonHolder, Now, Rules));
        Assert.True(ClaimPolicy.LeftToHolder(fresh, NonHolder, Now, Rules));
    }

    [Fact]
    public void After_the_grace_or_when_back_from_backoff_the_rule_follows_the_ready_time()
    {
        var fresh = Head("sd-1.5", priority: 6, waited: 1, Style);

        // A holder that does not claim cannot strand it: one second later (ready for 2 s) anyone takes it.
        Assert.Equal(fresh, ClaimPolicy.Choose([fresh], NonHolder, Now.AddSeconds(1), Rules)?.Job);
        var old = Head("sd-1.5", priority: 6, waited: 120, Style);
        Assert.Equal(old, ClaimPolicy.Choose([old], NonHolder, Now, Rules)?.Job);

        // A job back from a retry's backoff is fresh again from when it became ready.
        var retried = Head("sd-1.5", priority: 6, waited: 60, Style) with { AvailableAt = Now.AddSeconds(-1) };
        Assert.Null(ClaimPolicy.Choose([retried], NonHolder, Now, Rules));
    }

    [Fact]
    public void A_worker_holding_any_of_the_loras_takes_the_head_itself()
    {
        var fresh = Head("sd-1.5", priority: 6, waited: 1, Style, Face);
        var holdsFace = NonHolder with { HeldLoras = [Face] };

        Assert.Equal(fresh, ClaimPolicy.Choose([fresh], holdsFace, Now, Rules)?.Job);
        // Holding some other LoRA does not count.
        Assert.Null(ClaimPolicy.Choose([fresh], NonHolder with { HeldLoras = [Guid.NewGuid()] }, Now, Rules));
    }

    [Fact]
    public void Heads_without_loras_or_that_no_idle_worker_of_their_model_holds_are_not_held_back()
    {
        var plain = Head("sd-1.5", priority: 6, waited: 0);
        var unheld = Head("sd-1.5", priority: 6, waited: 0, Face);
        var otherModel = Head("sdxl-1.0", priority: 6, waited: 0, Style);

        Assert.Equal(plain, ClaimPolicy.Choose([plain], NonHolder, Now, Rules)?.Job);
        Assert.Equal(unheld, ClaimPolicy.Choose([unheld], NonHolder, Now, Rules)?.Job);
        // The holder serves sd-1.5 only: an sdxl job with its LoRA is not its to take.
        Assert.Equal(otherModel, ClaimPolicy.Choose([otherModel], NonHolder, Now, Rules)?.Job);
        // Without the view (no holders read), or with the rule off, nothing changes.
        var fresh = Head("sd-1.5", priority: 6, waited: 0, Style);
        Assert.Equal(fresh, ClaimPolicy.Choose([fresh], new WorkerView(AllModels, "sd-1.5"), Now, Rules)?.Job);
        Assert.Equal(fresh, ClaimPolicy.Choose([fresh], NonHolder, Now, Rules with { LoraHolderGrace = TimeSpan.Zero })?.Job);
    }

    private static Dictionary<string, IReadOnlySet<Guid>> Holders(string model, params Guid[] loras) =>
        new() { [model] = loras.ToHashSet() };

    private static QueueHead Head(string model, int priority, int waited, params Guid[] loras) =>
        new(Guid.NewGuid(), Guid.NewGuid(), model, priority, Now.AddSeconds(-waited), null, null, null, false, loras);
}
