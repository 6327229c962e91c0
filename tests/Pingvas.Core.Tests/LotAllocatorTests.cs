using Pingvas.Core.Credits;

namespace Pingvas.Core.Tests;

public class LotAllocatorTests
{
    private static readonly DateTime Now = new(2026, 3, 15, 12, 0, 0, DateTimeKind.Utc);

    private static int counter;

    private static CreditLot Lot(
        LotSource source,
        int remaining,
        DateTime? expiresAt = null,
        DateTime? createdAt = null,
        DateTime? validFrom = null)
    {
        var created = createdAt ?? Now.AddDays(-10);
        var n = Interlocked.Increment(ref counter);
        return new CreditLot(new Guid(n, 0, 0, new byte[8]), source, remaining, validFrom ?? created, expiresAt, created);
    }

    private static List<Guid> Order(IEnumerable<CreditLot> lots) => LotAllocator.SpendOrder(lots, Now).Select(l => l.Id).ToList();

    [Fact]
    public void Soonest_expiry_is_spent_first()
    {
        var late = Lot(LotSource.Plan, 10, Now.AddDays(20));
        var soon = Lot(LotSource.Admin, 10, Now.AddDays(2));
        var middle = Lot(LotSource.Promo, 10, Now.AddDays(5));

        Assert.Equal([soon.Id, middle.Id, late.Id], Order([late, soon, middle]));
    }

    [Fact]
    public void Non_expiring_lots_come_after_expiring_ones()
    {
        var refund = Lot(LotSource.Refund, 10, expiresAt: null, createdAt: Now.AddDays(-100));
        var plan = Lot(LotSource.Plan, 10, Now.AddDays(30));

        Assert.Equal([plan.Id, refund.Id], Order([refund, plan]));
    }

    [Fact]
    public void Purchased_lots_are_spent_last_even_when_older()
    {
        var purchase = Lot(LotSource.Purchase, 10, expiresAt: null, createdAt: Now.AddDays(-365));
        var admin = Lot(LotSource.Admin, 10, expiresAt: null, createdAt: Now.AddDays(-1));

        Assert.Equal([admin.Id, purchase.Id], Order([purchase, admin]));
    }

    [Fact]
    public void Purchased_lots_are_spent_last_even_with_an_earlier_expiry()
    {
        // Purchases never expire by policy; if one did carry an expiry it still sorts last.
        var purchase = Lot(LotSource.Purchase, 10, Now.AddDays(1));
        var plan = Lot(LotSource.Plan, 10, Now.AddDays(30));
        var refund = Lot(LotSource.Refund, 10);

        Assert.Equal([plan.Id, refund.Id, purchase.Id], Order([purchase, refund, plan]));
    }

    [Fact]
    public void Full_spend_order_across_every_source()
    {
        var purchaseOld = Lot(LotSource.Purchase, 10, createdAt: Now.AddDays(-60));
        var purchaseNew = Lot(LotSource.Purchase, 10, createdAt: Now.AddDays(-1));
        var plan = Lot(LotSource.Plan, 10, Now.AddDays(15));
        var promo = Lot(LotSource.Promo, 10, Now.AddDays(3));
        var admin = Lot(LotSource.Admin, 10, Now.AddDays(40));
        var refund = Lot(LotSource.Refund, 10);

        Assert.Equal(
            [promo.Id, plan.Id, admin.Id, refund.Id, purchaseOld.Id, purchaseNew.Id],
            Order([purchaseNew, refund, admin, purchaseOld, plan, promo]));
    }

    [Fact]
    public void Oldest_lot_breaks_ties_on_expiry()
    {
        var expiry = Now.AddDays(7);
        var newer = Lot(LotSource.Admin, 10, expiry, createdAt: Now.AddDays(-1));
        var older = Lot(LotSource.Promo, 10, expiry, createdAt: Now.AddDays(-3));

        Assert.Equal([older.Id, newer.Id], Order([newer, older]));

        var newerRefund = Lot(LotSource.Refund, 10, createdAt: Now.AddDays(-1));
        var olderRefund = Lot(LotSource.Refund, 10, createdAt: Now.AddDays(-2));
        Assert.Equal([olderRefund.Id, newerRefund.Id], Order([newerRefund, olderRefund]));
    }

    [Fact]
    public void Spend_order_is_deterministic_on_full_ties()
    {
        var a = Lot(LotSource.Plan, 10, Now.AddDays(7), createdAt: Now.AddDays(-1));
        var b = a with { Id = new Guid(int.MaxValue, 0, 0, new byte[8]) };

        Assert.Equal(Order([a, b]), Order([b, a]));
    }

    [Fact]
    public void Expired_not_yet_valid_and_empty_lots_are_skipped()
    {
        var expired = Lot(LotSource.Plan, 50, Now.AddDays(-1));
        var expiringExactlyNow = Lot(LotSource.Admin, 50, Now);
        var future = Lot(LotSource.Admin, 50, Now.AddDays(30), validFrom: Now.AddDays(1));
        var empty = Lot(LotSource.Promo, 0, Now.AddDays(1));
        var negative = Lot(LotSource.Refund, -5);
        var good = Lot(LotSource.Refund, 7);

        List<CreditLot> lots = [expired, expiringExactlyNow, future, empty, negative, good];

        Assert.Equal([good.Id], Order(lots));
        Assert.Equal(7, LotAllocator.Spendable(lots, Now));
        Assert.Null(LotAllocator.TryDraw(lots, 8, Now));
        Assert.Equal([new LotDraw(good.Id, 7)], LotAllocator.TryDraw(lots, 7, Now));
    }

    [Fact]
    public void Lot_becomes_spendable_exactly_at_valid_from()
    {
        var lot = Lot(LotSource.Admin, 10, Now.AddDays(1), validFrom: Now);
        Assert.True(lot.IsSpendable(Now));
        Assert.False(lot.IsSpendable(Now.AddTicks(-1)));
        Assert.False(lot.IsExpired(Now));
        Assert.True(lot.IsExpired(Now.AddDays(1)));
        Assert.False(lot.IsSpendable(Now.AddDays(1)));
    }

    [Fact]
    public void Spendable_sums_only_spendable_lots()
    {
        List<CreditLot> lots =
        [
            Lot(LotSource.Plan, 100, Now.AddDays(10)),
            Lot(LotSource.Purchase, 250),
            Lot(LotSource.Plan, 400, Now.AddDays(-1)),
            Lot(LotSource.Admin, 1000, Now.AddDays(10), validFrom: Now.AddHours(1)),
            Lot(LotSource.Promo, 0),
        ];

        Assert.Equal(350, LotAllocator.Spendable(lots, Now));
        Assert.Equal(0, LotAllocator.Spendable([], Now));
    }

    [Fact]
    public void TryDraw_takes_everything_from_the_first_lot_when_it_suffices()
    {
        var plan = Lot(LotSource.Plan, 100, Now.AddDays(10));
        var purchase = Lot(LotSource.Purchase, 500);

        var draws = LotAllocator.TryDraw([purchase, plan], 30, Now);

        Assert.Equal([new LotDraw(plan.Id, 30)], draws);
    }

    [Fact]
    public void TryDraw_splits_across_lots_in_spend_order()
    {
        var plan = Lot(LotSource.Plan, 40, Now.AddDays(10));
        var promo = Lot(LotSource.Promo, 25, Now.AddDays(2));
        var purchase = Lot(LotSource.Purchase, 500);

        var draws = LotAllocator.TryDraw([purchase, plan, promo], 100, Now);

        Assert.Equal(
            [new LotDraw(promo.Id, 25), new LotDraw(plan.Id, 40), new LotDraw(purchase.Id, 35)],
            draws);
    }

    [Fact]
    public void TryDraw_of_the_exact_balance_empties_every_lot()
    {
        var plan = Lot(LotSource.Plan, 40, Now.AddDays(10));
        var purchase = Lot(LotSource.Purchase, 60);
        List<CreditLot> lots = [purchase, plan];

        var draws = LotAllocator.TryDraw(lots, 100, Now);

        Assert.NotNull(draws);
        Assert.Equal([new LotDraw(plan.Id, 40), new LotDraw(purchase.Id, 60)], draws);
        Assert.Equal(LotAllocator.Spendable(lots, Now), draws.Sum(d => d.Amount));
    }

    [Fact]
    public void TryDraw_returns_null_when_one_credit_short()
    {
        List<CreditLot> lots = [Lot(LotSource.Plan, 40, Now.AddDays(10)), Lot(LotSource.Purchase, 59)];

        Assert.Null(LotAllocator.TryDraw(lots, 100, Now));
    }

    [Fact]
    public void TryDraw_does_not_count_unspendable_lots_towards_the_amount()
    {
        List<CreditLot> lots =
        [
            Lot(LotSource.Plan, 50, Now.AddDays(10)),
            Lot(LotSource.Plan, 1000, Now.AddMinutes(-1)),
            Lot(LotSource.Admin, 1000, Now.AddDays(10), validFrom: Now.AddMinutes(1)),
        ];

        Assert.Null(LotAllocator.TryDraw(lots, 51, Now));
    }

    [Fact]
    public void TryDraw_with_no_lots_returns_null_for_a_positive_amount()
    {
        Assert.Null(LotAllocator.TryDraw([], 1, Now));
    }

    [Fact]
    public void TryDraw_of_zero_draws_nothing()
    {
        var draws = LotAllocator.TryDraw([Lot(LotSource.Plan, 10, Now.AddDays(1))], 0, Now);

        Assert.NotNull(draws);
        Assert.Empty(draws);
    }

    [Fact]
    public void TryDraw_rejects_a_negative_amount()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LotAllocator.TryDraw([], -1, Now));
    }

    [Fact]
    public void TryDraw_never_draws_more_than_a_lot_holds_and_never_draws_zero()
    {
        var random = new Random(1234);
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var lots = Enumerable.Range(0, random.Next(0, 8))
                .Select(_ => Lot(
                    (LotSource)random.Next(0, 5),
                    random.Next(-2, 60),
                    random.Next(3) == 0 ? null : Now.AddHours(random.Next(-48, 48)),
                    Now.AddHours(-random.Next(1, 1000)),
                    Now.AddHours(random.Next(-48, 3))))
                .ToList();
            var amount = random.Next(0, 200);
            var spendable = LotAllocator.Spendable(lots, Now);

            var draws = LotAllocator.TryDraw(lots, amount, Now);

            if (amount > spendable)
            {
                Assert.Null(draws);
                continue;
            }

            Assert.NotNull(draws);
            Assert.Equal(amount, draws.Sum(d => d.Amount));
            Assert.All(draws, d => Assert.True(d.Amount > 0));
            Assert.Equal(draws.Count, draws.Select(d => d.LotId).Distinct().Count());
            var byId = lots.ToDictionary(l => l.Id);
            Assert.All(draws, d =>
            {
                Assert.True(byId[d.LotId].IsSpendable(Now));
                Assert.True(d.Amount <= byId[d.LotId].Remaining);
            });

            // Draws follow spend order, and every lot but the last one drawn is emptied.
            var order = LotAllocator.SpendOrder(lots, Now).Select(l => l.Id).ToList();
            Assert.Equal(order.Take(draws.Count), draws.Select(d => d.LotId));
            Assert.All(draws.Take(draws.Count - 1), d => Assert.Equal(byId[d.LotId].Remaining, d.Amount));
        }
    }

    [Fact]
    public void DrawUpTo_takes_the_full_amount_when_available()
    {
        var plan = Lot(LotSource.Plan, 40, Now.AddDays(10));
        var purchase = Lot(LotSource.Purchase, 60);

        var draws = LotAllocator.DrawUpTo([purchase, plan], 50, Now);

        Assert.Equal([new LotDraw(plan.Id, 40), new LotDraw(purchase.Id, 10)], draws);
    }

    [Fact]
    public void DrawUpTo_caps_at_what_is_spendable()
    {
        var plan = Lot(LotSource.Plan, 40, Now.AddDays(10));
        var purchase = Lot(LotSource.Purchase, 60);
        var expired = Lot(LotSource.Plan, 500, Now.AddDays(-1));

        var draws = LotAllocator.DrawUpTo([expired, purchase, plan], 1000, Now);

        Assert.Equal([new LotDraw(plan.Id, 40), new LotDraw(purchase.Id, 60)], draws);
    }

    [Fact]
    public void DrawUpTo_with_nothing_spendable_draws_nothing()
    {
        Assert.Empty(LotAllocator.DrawUpTo([], 10, Now));
        Assert.Empty(LotAllocator.DrawUpTo([Lot(LotSource.Plan, 10, Now.AddDays(-1))], 10, Now));
        Assert.Empty(LotAllocator.DrawUpTo([Lot(LotSource.Plan, 10, Now.AddDays(1))], 0, Now));
    }
}
