using System.Globalization;

using Pingvas.Server.Email;

namespace Pingvas.Server.Notices;

/// <summary>
/// After a job is settled: when the balance is at most 10% of the plan's monthly grant the user is
/// told, once per billing period (credits_low), and when it reached zero, once per period too
/// (credits_exhausted): an in-app notice and an email, in the settlement's transaction. Above the
/// threshold (almost always) this costs nothing; below it, one indexed lookup of the dedupe key.
/// Unlimited plans (no monthly grant) are never told.
/// </summary>
public sealed class CreditNotices(NoticeService notices, Webhooks.WebhookPublisher webhooks)
{
    /// <summary>The share of the monthly grant at or below which credits count as low.</summary>
    public const int LowPercent = 10;

    public async Task AfterSettleAsync(Guid userId, int? monthlyCredits, DateTime periodStart, DateTime periodEnd, int balance, CancellationToken ct)
    {
        if (monthlyCredits is not { } grant || grant <= 0 || (balance > 0 && balance * 100L > grant * (long)LowPercent))
        {
            return;
        }

        var kind = balance <= 0 ? EmailKinds.CreditsExhausted : EmailKinds.CreditsLow;
        var renews = periodEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var data = new Dictionary<string, object?> { ["balance"] = Math.Max(0, balance), ["monthlyCredits"] = grant, ["periodEnd"] = periodEnd };
        var mail = new EmailRequest(kind, userId, new Dictionary<string, string>
        {
            ["balance"] = Math.Max(0, balance).ToString(CultureInfo.InvariantCulture),
            ["date"] = renews,
        });
        await notices.AddAsync(userId, kind, data, $"{kind}:{periodStart:yyyyMMddHHmmss}", mail, ct);

        // Webhooks' credits.low, once per crossing: the first settlement at or under the threshold this period.
        var threshold = (int)(grant * (long)LowPercent / 100);
        await webhooks.CreditsLowOnceAsync(userId, Math.Max(0, balance), threshold, periodStart, ct);
    }
}
