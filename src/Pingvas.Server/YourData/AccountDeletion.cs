using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Accounts;
using Pingvas.Server.Billing;
using Pingvas.Server.Credits;
using Pingvas.Server.Data;
using Pingvas.Server.Hosting;
using Pingvas.Server.Jobs;
using Pingvas.Server.Realtime;
using Pingvas.Server.Storage;

namespace Pingvas.Server.YourData;

public enum DeletionResult
{
    Deleted,

    /// <summary>The password is wrong (403 <c>wrong_password</c>).</summary>
    WrongPassword,

    /// <summary>Too many wrong passwords from this address (429, Retry-After).</summary>
    Throttled,

    /// <summary>An account without a password whose session signed in 10 minutes ago or more (403 <c>reauthentication_required</c>).</summary>
    ReauthenticationRequired,

    /// <summary>The payment provider would not cancel the subscription (502 <c>billing_provider_error</c>); nothing was deleted.</summary>
    ProviderError,
}

public sealed record DeletionOutcome(DeletionResult Result, TimeSpan? RetryAfter = null, string? Error = null);

/// <summary>
/// Deletes an account on its owner's request (docs/gallery.md "Your data"). Kept, anonymised, for
/// accounting and tax law: the ledger (with a last entry forfeiting the balance), the credit lots
/// it accounts for, the payments, and the subscription row (expired, so a late webhook of the
/// provider is ignored), all under a tombstone user row without email, name or password. Every
/// other row of the account and every stored object under <c>users/&lt;id&gt;/</c> go.
/// </summary>
public sealed class AccountDeletion(
    PingvasDb db,
    IPasswordHasher<User> hasher,
    LoginThrottles throttles,
    TokenService tokens,
    IHubSignOut hubs,
    JobLifecycle lifecycle,
    Ledger ledger,
    IObjectStore store,
    IServiceProvider services,
    IOptions<YourDataOptions> options,
    TimeProvider time,
    ILogger<AccountDeletion> logger)
{
    /// <summary>How recent a sign-in must be to delete an account that has no password.</summary>
    public static readonly TimeSpan FreshSignIn = TimeSpan.FromMinutes(10);

    public async Task<DeletionOutcome> DeleteAsync(Guid userId, string? password, HttpContext http, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, ct);
        if (await CheckIdentityAsync(user, password, http, ct) is { } refused)
        {
            return refused;
        }

        // The provider first: should it refuse, the account stays whole and the user can try again.
        if (await CancelSubscriptionsAsync(userId, ct) is { } error)
        {
            return new DeletionOutcome(DeletionResult.ProviderError, null, error);
        }

        // Every session ends before the jobs are cancelled, so none can submit another meanwhile.
        await using (var tx = await db.BeginWriteAsync(ct))
        {
            await tokens.SignOutEverywhereAsync(userId, ct);
            await tx.CommitAsync(ct);
        }

        await hubs.SignOutAsync(userId, CancellationToken.None);
        await CancelJobsAsync(userId, ct);
        await DeleteRowsAsync(userId, ct);
        await DeleteObjectsAsync(userId, ct);
        logger.LogInformation("Deleted account {UserId} on its owner's request", userId);
        return new DeletionOutcome(DeletionResult.Deleted);
    }

    /// <summary>The password (throttled like a password change), or for an account without one a fresh sign-in.</summary>
    private async Task<DeletionOutcome?> CheckIdentityAsync(User user, string? password, HttpContext http, CancellationToken ct)
    {
        if (user.PasswordHash.Length == 0)
        {
            var signedInAt = SessionClaims.SignedInAt(http.User);
            return signedInAt is { } at && time.GetUtcNow() - at < FreshSignIn
                ? null
                : new DeletionOutcome(DeletionResult.ReauthenticationRequired);
        }

        var pair = throttles.PairId(user.Email, http.ClientKey());
        if ((await throttles.RetryAfterAsync(pair, ct) ?? await throttles.CountAttemptAsync(pair, ct)) is { } wait)
        {
            return new DeletionOutcome(DeletionResult.Throttled, wait);
        }

        if (string.IsNullOrEmpty(password) || hasher.VerifyHashedPassword(user, user.PasswordHash, password) == PasswordVerificationResult.Failed)
        {
            return new DeletionOutcome(DeletionResult.WrongPassword);
        }

        await throttles.ClearAsync(pair, ct);
        return null;
    }

    /// <summary>Asks the provider to end each live subscription at the end of its paid period, without renewal (no refund). Returns the provider's error, if any.</summary>
    private async Task<string?> CancelSubscriptionsAsync(Guid userId, CancellationToken ct)
    {
        var live = await db.Subscriptions.AsNoTracking()
            .Where(s => s.UserId == userId && s.Status != SubscriptionStatus.Expired && !s.CancelAtPeriodEnd).ToListAsync(ct);
        if (live.Count == 0)
        {
            return null;
        }

        if (services.GetService<IBillingProvider>() is not { } provider)
        {
            logger.LogWarning("Account {UserId} has a live subscription but no billing provider is configured; it cannot be cancelled at the provider", userId);
            return null;
        }

        foreach (var subscription in live.Where(s => s.Provider == provider.Name))
        {
            try
            {
                await provider.CancelAsync(subscription.ProviderSubscriptionId, ct);
            }
            catch (BillingProviderException ex)
            {
                logger.LogWarning(ex, "Deleting account {UserId}: {Provider} did not cancel subscription {Subscription}", userId, provider.Name, subscription.ProviderSubscriptionId);
                return ex.Message;
            }
        }

        return null;
    }

    /// <summary>
    /// Cancels through the job lifecycle: queued jobs at once with their holds returned, running
    /// ones asked to stop (their workers charge the seconds used), waited for a bounded time.
    /// </summary>
    private async Task CancelJobsAsync(Guid userId, CancellationToken ct)
    {
        await lifecycle.CancelQueuedAsync(userId, ct);
        var running = await db.Jobs.AsNoTracking().Where(j => j.UserId == userId && j.Status == JobStatus.Running)
            .OrderBy(j => j.Id).Select(j => j.Id).ToListAsync(ct);
        foreach (var jobId in running)
        {
            await lifecycle.CancelAsync(userId, jobId, ct);
        }

        // Wall-clock wait for other actors (the workers): a deadline, not a fixed sleep.
        var deadline = DateTime.UtcNow.AddSeconds(options.Value.DeletionJobWaitSeconds);
        while (await db.Jobs.AnyAsync(j => j.UserId == userId && (j.Status == JobStatus.Running || j.Status == JobStatus.Queued), ct))
        {
            if (DateTime.UtcNow > deadline)
            {
                // A worker that does not stop is fenced once its job's row is gone: it writes nothing more.
                logger.LogWarning("Deleting account {UserId}: a running job did not stop in time; its row goes regardless", userId);
                break;
            }

            await Task.Delay(100, ct);
        }
    }

    private async Task DeleteRowsAsync(Guid userId, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        // The cancels tracked lots as they were then; the workers have since moved credits: read afresh.
        db.ChangeTracker.Clear();
        await using var tx = await db.BeginWriteAsync(ct);
        await db.LockUserAsync(userId, ct);

        // What is left to spend is forfeited, through the ledger, so the kept ledger balances to zero.
        var balance = await ledger.BalanceAsync(userId, ct);
        if (balance.Balance > 0)
        {
            await ledger.AdjustAsync(userId, -balance.Balance, null, "Account deleted: remaining credits forfeited", $"account-deleted:{userId}", ct);
        }

        await db.Subscriptions.Where(s => s.UserId == userId && s.Status != SubscriptionStatus.Expired).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, SubscriptionStatus.Expired)
            .SetProperty(x => x.CancelAtPeriodEnd, true)
            .SetProperty(x => x.RenewsAt, (DateTime?)null)
            .SetProperty(x => x.EndsAt, now)
            .SetProperty(x => x.UpdatedAt, now), ct);

        // Content, children before parents (share views go with their shares, by cascade).
        await db.Shares.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
        await db.ImageTags.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
        await db.JobInputs.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
        await db.Images.IgnoreQueryFilters().Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
        await db.Folders.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
        await db.Presets.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
        await db.DataExports.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
        await db.Uploads.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
        await db.Loras.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
        await db.QueueHeads.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
        await db.LotHolds.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
        await db.Jobs.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
        await db.Workflows.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
        await db.Notices.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
        await db.AccountTokens.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
        await db.TotpRecoveryCodes.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
        await db.ExternalSignInCodes.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
        await db.ExternalLogins.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
        await db.RefreshTokens.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);
        // Undelivered emails and events would reach an address or session that no longer exists.
        await db.Outbox.Where(x => x.UserId == userId).ExecuteDeleteAsync(ct);

        // The tombstone: no email, name or password; signed out; never again in a billing period
        // (the period sweep would grant it credits), so the kept ledger ends with the forfeit.
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s
            .SetProperty(u => u.Email, $"deleted-{userId}@deleted.invalid")
            .SetProperty(u => u.Name, "")
            .SetProperty(u => u.PasswordHash, "")
            .SetProperty(u => u.TotpSecret, (string?)null)
            .SetProperty(u => u.TotpEnabledAt, (DateTime?)null)
            .SetProperty(u => u.TotpLastStep, 0L)
            .SetProperty(u => u.EmailVerifiedAt, (DateTime?)null)
            .SetProperty(u => u.Language, (string?)null)
            .SetProperty(u => u.RetentionDays, (int?)null)
            .SetProperty(u => u.PlanId, PlanPeriods.FreePlanId)
            .SetProperty(u => u.PeriodEnd, Tombstone.NoPeriodEnd)
            .SetProperty(u => u.DeletedAt, now)
            .SetProperty(u => u.TokenVersion, u => u.TokenVersion + 1), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Every object under the account's prefix: images, thumbnails, uploads, LoRA files, exports.</summary>
    private async Task DeleteObjectsAsync(Guid userId, CancellationToken ct)
    {
        var prefix = $"{ObjectKeys.UsersPrefix}{userId:N}/";
        var keys = new List<string>();
        await foreach (var item in store.ListAsync(prefix, ct))
        {
            keys.Add(item.Key);
        }

        foreach (var key in keys)
        {
            await store.DeleteAsync(key, ct);
        }
    }
}

/// <summary>Values that mark a deleted account's row.</summary>
public static class Tombstone
{
    /// <summary>A period end no sweep reaches: the tombstone never starts another billing period.</summary>
    public static readonly DateTime NoPeriodEnd = new(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc);
}
