using Pingvas.Core.Scheduling;

namespace Pingvas.Core.Tests;

public sealed class ClaimPolicyTests
{
    private static readonly DateTime Now = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly AgingPolicy Aging = new(60);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);
    private static readonly string[] AllModels = ["sd-1.5", "sdxl-1.0", "flux-dev"];

    [Fact]
    public void A_worker_takes_only_jobs_for_models_it_serves()
    {
        var flux = Head("flux-dev", priority: 10, waited: 100);
        var sd = Head("sd-1.5", priority: 2, waited: 1);

        var choice = ClaimPolicy.Choose([flux, sd], new WorkerView(["sd-1.5"], null), Now, Aging, MaxDelay);

        Assert.Equal(sd, choice?.Job);
        Assert.Null(ClaimPolicy.Choose([flux], new WorkerView(["sd-1.5"], null), Now, Aging, MaxDelay));
    }

    [Fact]
    public void Without_a_loaded_model_the_queue_order_decides()
    {
        var low = Head("sd-1.5", priority: 2, waited: 30);
        var high = Head("sdxl-1.0", priority: 6, waited: 1);

        Assert.Equal(new ClaimChoice(high, null), ClaimPolicy.Choose([low, high], new WorkerView(AllModels, null), Now, Aging, MaxDelay));
    }

    [Fact]
    public void A_loaded_model_wins_over_a_higher_head_that_was_not_yet_passed_over_long()
    {
        var high = Head("sdxl-1.0", priority: 6, waited: 1);
        var loaded = Head("sd-1.5", priority: 2, waited: 1);

        var fresh = ClaimPolicy.Choose([high, loaded], new WorkerView(AllModels, "sd-1.5"), Now, Aging, MaxDelay);
        Assert.Equal(new ClaimChoice(loaded, high), fresh);

        var passedRecently = high with { PassedOverAt = Now.AddSeconds(-9) };
        Assert.Equal(loaded, ClaimPolicy.Choose([passedRecently, loaded], new WorkerView(AllModels, "sd-1.5"), Now, Aging, MaxDelay)?.Job);

        // Passed over for the whole allowed delay: now it goes first, whatever is loaded.
        var overdue = high with { PassedOverAt = Now.AddSeconds(-10) };
        Assert.Equal(new ClaimChoice(overdue, null), ClaimPolicy.Choose([overdue, loaded], new WorkerView(AllModels, "sd-1.5"), Now, Aging, MaxDelay));
    }

    [Fact]
    public void Affinity_off_means_strict_queue_order()
    {
        var high = Head("sdxl-1.0", priority: 6, waited: 1);
        var loaded = Head("sd-1.5", priority: 2, waited: 1);

        Assert.Equal(high, ClaimPolicy.Choose([high, loaded], new WorkerView(AllModels, "sd-1.5"), Now, Aging, TimeSpan.Zero)?.Job);
    }

    [Fact]
    public void Blocked_and_backing_off_heads_do_not_start()
    {
        var blocked = Head("sd-1.5", priority: 10, waited: 5) with { Blocked = true };
        var backingOff = Head("sd-1.5", priority: 10, waited: 5) with { AvailableAt = Now.AddSeconds(1) };
        var ready = Head("sd-1.5", priority: 2, waited: 0) with { AvailableAt = Now };

        Assert.Equal(ready, ClaimPolicy.Choose([blocked, backingOff, ready], new WorkerView(AllModels, null), Now, Aging, MaxDelay)?.Job);
    }

    [Fact]
    public void Among_the_loaded_models_jobs_the_queue_order_still_decides()
    {
        var head = Head("flux-dev", priority: 10, waited: 1);
        var older = Head("sd-1.5", priority: 2, waited: 50);
        var newer = Head("sd-1.5", priority: 2, waited: 10);

        Assert.Equal(older, ClaimPolicy.Choose([head, newer, older], new WorkerView(AllModels, "sd-1.5"), Now, Aging, MaxDelay)?.Job);
    }

    private static QueueHead Head(string model, int priority, int waited) =>
        new(Guid.NewGuid(), Guid.NewGuid(), model, priority, Now.AddSeconds(-waited), null, null, null, false);
}
