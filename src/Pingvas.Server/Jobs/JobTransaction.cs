using Microsoft.EntityFrameworkCore.Storage;

using Pingvas.Server.Accounts;

namespace Pingvas.Server.Jobs;

/// <summary>
/// A write transaction in which jobs of one owner change state: the owner's row is locked (every
/// move of a job out of <c>queued</c> holds that lock, see Data/Transactions.cs), and the wake-ups
/// a transition causes run only once it has committed. Disposed without a commit, it rolls back.
/// </summary>
public sealed class JobTransaction(IDbContextTransaction transaction, User? owner) : IAsyncDisposable
{
    private readonly List<Action> afterCommit = [];

    /// <summary>The owner's row, when the transaction was begun with it loaded.</summary>
    public User Owner => owner ?? throw new InvalidOperationException("This transaction did not load its owner.");

    /// <summary>Runs <paramref name="action"/> after a successful commit (wake workers, wake the outbox, cancel a run).</summary>
    public void AfterCommit(Action action)
    {
        if (!afterCommit.Contains(action))
        {
            afterCommit.Add(action);
        }
    }

    public async Task CommitAsync(CancellationToken ct)
    {
        await transaction.CommitAsync(ct);
        foreach (var action in afterCommit)
        {
            action();
        }
    }

    public Task RollbackAsync(CancellationToken ct) => transaction.RollbackAsync(ct);

    public ValueTask DisposeAsync() => transaction.DisposeAsync();
}
