using System.Linq.Expressions;

using Microsoft.EntityFrameworkCore;

namespace Pingvas.Server.Data;

public static class BatchDelete
{
    /// <summary>
    /// Deletes the rows of <paramref name="due"/> a batch at a time (by <paramref name="key"/>), so no
    /// statement holds many rows locked and housekeeping never stalls the tables it cleans.
    /// Returns how many it deleted.
    /// </summary>
    public static async Task<int> DeleteInBatchesAsync<TEntity, TKey>(
        this IQueryable<TEntity> due, Expression<Func<TEntity, TKey>> key, int batchSize, CancellationToken ct)
        where TEntity : class
    {
        var deleted = 0;
        while (true)
        {
            var batch = await due.OrderBy(key).Select(key).Take(batchSize).ToListAsync(ct);
            if (batch.Count > 0)
            {
                // row => batch.Contains(row.Key), built from the key selector.
                var inBatch = Expression.Lambda<Func<TEntity, bool>>(
                    Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [typeof(TKey)], Expression.Constant(batch), key.Body),
                    key.Parameters);
                deleted += await due.Where(inBatch).ExecuteDeleteAsync(ct);
            }

            if (batch.Count < batchSize)
            {
                return deleted;
            }
        }
    }
}
