using Pingvas.Core.Scheduling;

namespace Pingvas.Core.Tests;

public sealed class ClaimPolicyTests
{
    private static readonly DateTime Now = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly ClaimRules Rules = new(new AgingPolicy(60), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
    private static readonly ClaimRules NoAffinity = Rules with { AffinityMaxDelay = TimeSpan.Zero };
    private static readonly string[] AllModels = ["sd-1.5", "sdxl-1.0", "flux-dev"];

    [Fact]
    public void A_worker_takes_only_jobs_for_models_it_serves()
    {
        var flux = Head("flux-dev", priority: 10, waited: 100);
        var sd = Head("sd-1.5", priority: 2, waited: 1);

        var choice = ClaimPolicy.Choose([flux, sd], new WorkerView(["sd-1.5"], null), Now, Rules);

        Assert.Equal(sd, choice?.Job);
        Assert.Null(ClaimPolicy.Choose([flux], new WorkerView(["sd-1.5"], null), Now, Rules));
    }

    [Fact]
    public void Without_a_loaded_model_the_queue_order_decides()
    {
        var low = Head("sd-1.5", priority: 2, waited: 30);
        var high = Head("sdxl-1.0", priority: 6, waited: 1);

        Assert.Equal(new ClaimChoice(high, null), ClaimPolicy.Choose([low, high], new WorkerView(AllModels, null), Now, Rules));
    }

    [Fact]
    public void A_loaded_model_wins_over_a_higher_head_that_was_not_yet_passed_over_long()
    {
        var high = Head("sdxl-1.0", priority: 6, waited: 1);
        var loaded = Head("sd-1.5", priority: 2, waited: 1);

        var fresh = ClaimPolicy.Choose([high, loaded], new WorkerView(AllModels, "sd-1.5"), Now, Rules);
        Assert.Equal(new ClaimChoice(loaded, high), fresh);

        var passedRecently = high with { PassedOverAt = Now.AddSeconds(-9) };
        Assert.Equal(loaded, ClaimPolicy.Choose([passedRecently, loaded], new WorkerView(AllModels, "sd-1.5"), Now, Rules)?.Job);

        // Passed over for the whole allowed delay: now it goes first, whatever is loaded.
        var overdue = high with { PassedOverAt = Now.AddSeconds(-10) };
        Assert.Equal(new ClaimChoice(overdue, null), ClaimPolicy.Choose([overdue, loaded], new WorkerView(AllModels, "sd-1.5"), Now, Rules));
    }

    [Fact]
    public void Affinity_off_means_strict_queue_order()
    {
        var high = Head("sdxl-1.0", priority: 6, waited: 1);
        var loaded = Head("sd-1.5", priority: 2, waited: 1);

        Assert.Equal(high, ClaimPolicy.Choose([high, loaded], new WorkerView(AllModels, "sd-1.5"), Now, NoAffinity)?.Job);
    }

    [Fact]
    public void Blocked_and_backing_off_heads_do_not_start()
    {
        var blocked = Head("sd-1.5", priority: 10, waited: 5) with { Blocked = true };
        var backingOff = Head("sd-1.5", priority: 10, waited: 5) with { AvailableAt = Now.AddSeconds(1) };
        var ready = Head("sd-1.5", priority: 2, waited: 0) with { AvailableAt = Now };

        Assert.Equal(ready, ClaimPolicy.Choose([blocked, backingOff, ready], new WorkerView(AllModels, null), Now, Rules)?.Job);
    }

    [Fact]
    public void Among_the_loaded_models_jobs_the_queue_order_still_decides()
    {
        var head = Head("flux-dev", priority: 10, waited: 1);
        var older = Head("sd-1.5", priority: 2, waited: 50);
        var newer = Head("sd-1.5", priority: 2, waited: 10);

        Assert.Equal(older, ClaimPolicy.Choose([head, newer, older], new WorkerView(AllModels, "sd-1.5"), Now, Rules)?.Job);
    }

    [Fact]
    public void A_worker_that_must_load_a_model_loads_the_one_most_owners_wait_for()
    {
        // One owner waits for FLUX (the queue's head by a second), three for SDXL, all at priority 6.
        var flux = Head("flux-dev", priority: 6, waited: 4);
        var sdxl = Enumerable.Range(0, 3).Select(i => Head("sdxl-1.0", priority: 6, waited: 3 - i)).ToList();
        QueueHead[] heads = [flux, .. sdxl];

        Assert.Equal(new ClaimChoice(sdxl[0], flux), ClaimPolicy.Choose(heads, new WorkerView(AllModels, null), Now, Rules));
        // The same when the loaded model has no work.
        Assert.Equal(new ClaimChoice(sdxl[0], flux), ClaimPolicy.Choose(heads, new WorkerView(AllModels, "sd-1.5"), Now, Rules));
        // Pressure is bounded like affinity: a head passed over for the whole delay goes first.
        QueueHead[] overdue = [flux with { PassedOverAt = Now.AddSeconds(-10) }, .. sdxl];
        Assert.Equal(overdue[0], ClaimPolicy.Choose(overdue, new WorkerView(AllModels, null), Now, Rules)?.Job);
        Assert.Equal(flux, ClaimPolicy.Choose(heads, new WorkerView(AllModels, null), Now, NoAffinity)?.Job);
    }

    [Fact]
    public void Pressure_never_inverts_priority_and_ties_keep_the_queue_order()
    {
        var head = Head("flux-dev", priority: 7, waited: 1);
        var lower = Enumerable.Range(0, 5).Select(_ => Head("sdxl-1.0", priority: 6, waited: 1)).ToList();
        Assert.Equal(new ClaimChoice(head, null), ClaimPolicy.Choose([head, .. lower], new WorkerView(AllModels, null), Now, Rules));

        var flux = Head("flux-dev", priority: 6, waited: 9);
        var sd = Head("sd-1.5", priority: 6, waited: 5);
        Assert.Equal(new ClaimChoice(flux, null), ClaimPolicy.Choose([sd, flux], new WorkerView(AllModels, null), Now, Rules));
    }

    [Fact]
    public void Pressure_counts_waiting_owners_up_to_the_depth_the_claim_reads()
    {
        var sd = Enumerable.Range(0, ClaimPolicy.PressureDepth + 4).Select(i => Head("sd-1.5", priority: 6, waited: 1)).ToList();
        var sdxl = Enumerable.Range(0, ClaimPolicy.PressureDepth).Select(i => Head("sdxl-1.0", priority: 6, waited: 2)).ToList();

        // Both count as full: the tie goes to the model whose best head is first (SDXL waited longer).
        var choice = ClaimPolicy.Choose([.. sd, .. sdxl], new WorkerView(AllModels, null), Now, Rules);
        Assert.Equal("sdxl-1.0", choice?.Job.ModelId);
        Assert.Null(choice?.PassedOver);
    }

    [Fact]
    public void A_fresh_job_is_left_briefly_to_a_faster_idle_worker_that_serves_its_model()
    {
        var fresh = Head("sdxl-1.0", priority: 6, waited: 1);
        var older = Head("sd-1.5", priority: 2, waited: 30);
        var slow = new WorkerView(AllModels, "sdxl-1.0", new HashSet<string> { "sdxl-1.0" });

        Assert.Equal(new ClaimChoice(older, null), ClaimPolicy.Choose([fresh, older], slow, Now, Rules));
        Assert.Null(ClaimPolicy.Choose([fresh], slow, Now, Rules));
        // After the grace the slow worker takes it: a faster worker that does not claim cannot strand it.
        Assert.Equal(fresh, ClaimPolicy.Choose([fresh], slow, Now.AddSeconds(1), Rules)?.Job);
        // A job back from a retry's backoff is fresh again from when it became ready.
        var retried = Head("sdxl-1.0", priority: 6, waited: 60) with { AvailableAt = Now.AddSeconds(-1) };
        Assert.Null(ClaimPolicy.Choose([retried], slow, Now, Rules));
        // Models no faster worker serves are not held back.
        Assert.Equal(fresh, ClaimPolicy.Choose([fresh], slow with { FasterIdle = new HashSet<string> { "flux-dev" } }, Now, Rules)?.Job);
    }

    private static QueueHead Head(string model, int priority, int waited) =>
        new(Guid.NewGuid(), Guid.NewGuid(), model, priority, Now.AddSeconds(-waited), null, null, null, false);
}
