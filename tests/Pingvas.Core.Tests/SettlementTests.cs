using Pingvas.Core.Credits;

namespace Pingvas.Core.Tests;

public class SettlementTests
{
    private static readonly Guid LotA = new("aaaaaaaa-0000-0000-0000-000000000001");
    private static readonly Guid LotB = new("bbbbbbbb-0000-0000-0000-000000000002");
    private static readonly Guid LotC = new("cccccccc-0000-0000-0000-000000000003");

    private static readonly IReadOnlyList<LotDraw> ThreeLots =
        [new LotDraw(LotA, 10), new LotDraw(LotB, 20), new LotDraw(LotC, 5)];

    [Fact]
    public void Charge_below_hold_returns_the_rest_to_the_lots()
    {
        var plan = Settlement.Plan([new LotDraw(LotA, 30)], 12);

        Assert.Equal([new LotDraw(LotA, 12)], plan.ChargedFromHold);
        Assert.Equal([new LotDraw(LotA, 18)], plan.Returned);
        Assert.Equal(0, plan.Shortfall);
        Assert.Equal(12, plan.ChargedFromHoldTotal);
    }

    [Fact]
    public void Charge_is_taken_from_the_first_drawn_lot_first()
    {
        var plan = Settlement.Plan(ThreeLots, 4);

        Assert.Equal([new LotDraw(LotA, 4)], plan.ChargedFromHold);
        Assert.Equal([new LotDraw(LotA, 6), new LotDraw(LotB, 20), new LotDraw(LotC, 5)], plan.Returned);
        Assert.Equal(0, plan.Shortfall);
    }

    [Fact]
    public void Charge_spanning_lots_empties_earlier_holds_and_returns_the_remainder_of_the_later()
    {
        var plan = Settlement.Plan(ThreeLots, 17);

        Assert.Equal([new LotDraw(LotA, 10), new LotDraw(LotB, 7)], plan.ChargedFromHold);
        Assert.Equal([new LotDraw(LotB, 13), new LotDraw(LotC, 5)], plan.Returned);
        Assert.Equal(0, plan.Shortfall);
    }

    [Fact]
    public void Charge_ending_on_a_lot_boundary_returns_only_whole_later_lots()
    {
        var plan = Settlement.Plan(ThreeLots, 30);

        Assert.Equal([new LotDraw(LotA, 10), new LotDraw(LotB, 20)], plan.ChargedFromHold);
        Assert.Equal([new LotDraw(LotC, 5)], plan.Returned);
    }

    [Fact]
    public void Charge_equal_to_hold_returns_nothing()
    {
        var plan = Settlement.Plan(ThreeLots, 35);

        Assert.Equal(ThreeLots, plan.ChargedFromHold);
        Assert.Empty(plan.Returned);
        Assert.Equal(0, plan.Shortfall);
        Assert.Equal(35, plan.ChargedFromHoldTotal);
    }

    [Fact]
    public void Charge_above_hold_consumes_the_hold_and_reports_the_shortfall()
    {
        var plan = Settlement.Plan(ThreeLots, 50);

        Assert.Equal(ThreeLots, plan.ChargedFromHold);
        Assert.Empty(plan.Returned);
        Assert.Equal(15, plan.Shortfall);
    }

    [Fact]
    public void Charge_of_zero_returns_the_whole_hold()
    {
        var plan = Settlement.Plan(ThreeLots, 0);

        Assert.Empty(plan.ChargedFromHold);
        Assert.Equal(ThreeLots, plan.Returned);
        Assert.Equal(0, plan.Shortfall);
        Assert.Equal(0, plan.ChargedFromHoldTotal);
    }

    [Fact]
    public void No_hold_means_the_whole_charge_is_shortfall()
    {
        // Enterprise jobs reserve nothing; a job whose hold was empty still owes its charge.
        var plan = Settlement.Plan([], 7);

        Assert.Empty(plan.ChargedFromHold);
        Assert.Empty(plan.Returned);
        Assert.Equal(7, plan.Shortfall);
    }

    [Fact]
    public void Negative_charge_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Settlement.Plan(ThreeLots, -1));
    }

    [Fact]
    public void Zero_amount_holds_produce_no_entries()
    {
        var plan = Settlement.Plan([new LotDraw(LotA, 0), new LotDraw(LotB, 5)], 3);

        Assert.Equal([new LotDraw(LotB, 3)], plan.ChargedFromHold);
        Assert.Equal([new LotDraw(LotB, 2)], plan.Returned);
    }

    [Fact]
    public void Totals_are_conserved_for_every_charge()
    {
        var held = ThreeLots.Sum(d => d.Amount);
        for (var charge = 0; charge <= held + 20; charge++)
        {
            var plan = Settlement.Plan(ThreeLots, charge);
            var returned = plan.Returned.Sum(d => d.Amount);

            Assert.Equal(held, plan.ChargedFromHoldTotal + returned);
            Assert.Equal(charge, plan.ChargedFromHoldTotal + plan.Shortfall);
            Assert.Equal(Math.Min(charge, held), plan.ChargedFromHoldTotal);
            Assert.Equal(Math.Max(0, charge - held), plan.Shortfall);
            Assert.All(plan.ChargedFromHold, d => Assert.True(d.Amount > 0));
            Assert.All(plan.Returned, d => Assert.True(d.Amount > 0));

            // Per lot, what is charged plus what is returned is exactly what was held.
            foreach (var hold in ThreeLots)
            {
                var fromLot = plan.ChargedFromHold.Where(d => d.LotId == hold.LotId).Sum(d => d.Amount)
                    + plan.Returned.Where(d => d.LotId == hold.LotId).Sum(d => d.Amount);
                Assert.Equal(hold.Amount, fromLot);
            }
        }
    }

    [Fact]
    public void Settling_a_real_draw_round_trips_with_the_allocator()
    {
        var now = new DateTime(2026, 3, 15, 12, 0, 0, DateTimeKind.Utc);
        var plan = new CreditLot(LotA, LotSource.Plan, 8, now.AddDays(-5), now.AddDays(25), now.AddDays(-5));
        var purchase = new CreditLot(LotB, LotSource.Purchase, 100, now.AddDays(-30), null, now.AddDays(-30));

        // Estimate 11 reserved: 8 from the plan lot, 3 from the purchase.
        var hold = LotAllocator.TryDraw([purchase, plan], 11, now);
        Assert.NotNull(hold);

        // The job took 5.2 s → 6 credits, all from the plan lot: 2 go back to it, the purchase gets all 3 back.
        var settlement = Settlement.Plan(hold, CostEstimator.Charge(TimeSpan.FromSeconds(5.2)));

        Assert.Equal([new LotDraw(LotA, 6)], settlement.ChargedFromHold);
        Assert.Equal([new LotDraw(LotA, 2), new LotDraw(LotB, 3)], settlement.Returned);
        Assert.Equal(0, settlement.Shortfall);
    }
}
