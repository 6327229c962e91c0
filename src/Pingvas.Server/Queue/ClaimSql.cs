namespace Pingvas.Server.Queue;

/// <summary>
/// The claim on PostgreSQL (<see cref="JobClaimer"/>): <see cref="Pingvas.Core.Scheduling.ClaimPolicy"/>
/// in SQL over <c>queue_heads</c>, whose cost does not grow with waiting users or queued jobs.
/// </summary>
internal static class ClaimSql
{
    /// <summary>
    /// Two statements in one round trip and one implicit transaction. First the heads whose aged
    /// priority rose since they were last aged get their new level (rows another claim is aging are
    /// skipped: it does the same). Then the claim: <c>tops</c> reads the first @depth heads of each
    /// model the worker serves from ix_queue_heads_order (the index order is the queue order:
    /// effective priority, then least recently served owner, then submission), leaving out heads
    /// left to a faster idle worker (@deferred models, ready for less than @grace seconds) or to another
    /// idle worker holding one of their LoRAs (@holder_models/@holder_loras pairs, ready for less than
    /// @lora_grace seconds, none of them in this worker's @held), and passing over a head whose job is no longer queued (only a hand edit of jobs leaves one; the
    /// pair's next transition repairs it); <c>candidates</c> counts each owner's running jobs;
    /// <c>ready</c> drops owners at their limit and counts waiting owners per model; <c>hidden</c>
    /// stops the claim when a model's whole window is at the limit (a ready head may lie deeper: the
    /// caller blocks those owners and claims again); <c>head</c> is the queue's first ready job,
    /// <c>preferred</c> the model to favour (the loaded one when it has work, else the one with the
    /// most waiting owners at the head's level), and <c>affinity</c> whether it may go before the
    /// head (passed over for less than @delay seconds). <c>pick</c> locks the chosen owner's user row,
    /// skipping a busy owner for the next candidate; a claim committed after this statement's snapshot,
    /// or any other transition of the owner (its lock is a no-op UPDATE: Data/Transactions), changed
    /// that row, so its version differs and the owner is passed over rather than taking a head already
    /// taken or flagging the owner from a stale count. The rest is the transition (its SET mirrors
    /// <see cref="Jobs.Job.Claim"/>), the owner's served time, and the heads: the claimed pair's head
    /// moves to its next job or goes, the owner's other heads restart their wait, all of them flagged
    /// <c>blocked</c> when this claim brings the owner to its limit, and a head passed over for
    /// affinity or pressure is stamped. Each head row is changed by at most one of these.
    /// </summary>
    public const string AgeThenClaim = """
        UPDATE queue_heads h
        SET effective = a.effective,
            next_age_at = CASE WHEN a.effective >= @max THEN NULL
                               ELSE a.since + make_interval(secs => (a.effective - h.priority + 1) * @step) END
        FROM (
            SELECT d.user_id, d.model_id, greatest(d.created_at, coalesce(d.served_at, d.created_at)) AS since,
                greatest(d.priority, least(@max, d.priority + least(floor(greatest(0, extract(epoch FROM
                    @now - greatest(d.created_at, coalesce(d.served_at, d.created_at)))::float8) / @step), @max)::int)) AS effective
            FROM queue_heads d
            WHERE d.next_age_at <= @now
            FOR UPDATE SKIP LOCKED
        ) a
        WHERE h.user_id = a.user_id AND h.model_id = a.model_id;

        WITH tops AS (
            SELECT t.*
            FROM unnest(@models) AS m(model_id)
            CROSS JOIN LATERAL (
                SELECT h.job_id, h.user_id, h.model_id, h.effective, h.served_at, h.created_at, h.passed_over_at
                FROM queue_heads h
                JOIN jobs j ON j.id = h.job_id AND j.status = 'queued'
                WHERE h.model_id = m.model_id AND NOT h.blocked AND (h.available_at IS NULL OR h.available_at <= @now)
                  AND NOT (h.model_id = ANY(@deferred)
                           AND greatest(h.created_at, coalesce(h.available_at, h.created_at)) > @now - make_interval(secs => @grace))
                  AND NOT (h.loras IS NOT NULL
                           AND greatest(h.created_at, coalesce(h.available_at, h.created_at)) > @now - make_interval(secs => @lora_grace)
                           AND NOT (string_to_array(h.loras, ',') && @held)
                           AND EXISTS (SELECT 1 FROM unnest(@holder_models, @holder_loras) AS o(model_id, lora_id)
                                       WHERE o.model_id = h.model_id AND o.lora_id = ANY(string_to_array(h.loras, ','))))
                ORDER BY h.effective DESC, h.served_at NULLS FIRST, h.created_at, h.job_id
                LIMIT @depth) t
        ),
        candidates AS MATERIALIZED (
            SELECT t.*, u.xmin AS seen, p.concurrent_jobs AS max_running,
                row_number() OVER (ORDER BY t.effective DESC, t.served_at NULLS FIRST, t.created_at, t.job_id) AS place,
                (SELECT count(*) FROM jobs r WHERE r.user_id = t.user_id AND r.status = 'running') AS running
            FROM tops t
            JOIN users u ON u.id = t.user_id
            JOIN plans p ON p.id = u.plan_id
        ),
        ready AS (
            SELECT c.*, count(*) OVER (PARTITION BY c.model_id) AS waiting, min(c.place) OVER (PARTITION BY c.model_id) AS model_first
            FROM candidates c
            WHERE c.max_running IS NULL OR c.running < c.max_running
        ),
        hidden AS (
            SELECT 1 FROM candidates GROUP BY model_id
            HAVING count(*) = @depth AND bool_and(max_running IS NOT NULL AND running >= max_running)
        ),
        head AS (SELECT * FROM ready ORDER BY place LIMIT 1),
        preferred AS (
            SELECT coalesce(
                (SELECT @loaded::text WHERE EXISTS (SELECT 1 FROM ready r WHERE r.model_id = @loaded)),
                (SELECT r.model_id FROM ready r CROSS JOIN head h
                 WHERE r.place = r.model_first AND r.effective = h.effective
                 ORDER BY r.waiting DESC, r.place LIMIT 1)) AS model_id
        ),
        affinity AS (
            SELECT h.job_id AS passed_job, f.model_id AS model_id,
                (@delay > 0 AND f.model_id <> h.model_id
                 AND (h.passed_over_at IS NULL OR h.passed_over_at > @now - make_interval(secs => @delay))) AS applies
            FROM head h CROSS JOIN preferred f
        ),
        pick AS (
            SELECT c.job_id, c.user_id, c.model_id, (a.applies AND c.model_id = a.model_id) AS by_affinity, a.passed_job,
                (c.max_running IS NOT NULL AND c.running + 1 >= c.max_running) AS now_at_limit
            FROM ready c
            JOIN users u ON u.id = c.user_id
            CROSS JOIN affinity a
            WHERE u.xmin = c.seen AND NOT EXISTS (SELECT 1 FROM hidden)
            ORDER BY CASE WHEN a.applies AND c.model_id = a.model_id THEN 0 ELSE 1 END, c.place
            LIMIT 1
            FOR NO KEY UPDATE OF u SKIP LOCKED
        ),
        claimed AS (
            UPDATE jobs
            SET status = 'running', started_at = @now, attempt = jobs.attempt + 1, worker_id = @worker,
                lease_expires_at = @lease, progress_step = 0
            WHERE jobs.id = (SELECT job_id FROM pick) AND jobs.status = 'queued'
            RETURNING jobs.*
        ),
        served AS (
            UPDATE users SET last_served_at = @now WHERE users.id = (SELECT user_id FROM claimed)
        ),
        next AS (
            SELECT n.id, n.priority, n.created_at, n.available_at
            FROM jobs n
            JOIN claimed c ON n.user_id = c.user_id AND n.model_id = c.model_id
            WHERE n.status = 'queued' AND n.id <> c.id
            ORDER BY n.created_at, n.id
            LIMIT 1
        ),
        advanced AS (
            UPDATE queue_heads h
            SET job_id = n.id, priority = n.priority, created_at = n.created_at, available_at = n.available_at,
                passed_over_at = NULL, served_at = @now, effective = n.priority, blocked = (SELECT now_at_limit FROM pick),
                loras = (SELECT string_agg(replace(i.ref_id::text, '-', ''), ',' ORDER BY i.ref_id)
                         FROM job_inputs i WHERE i.job_id = n.id AND i.kind = 'lora'),
                next_age_at = CASE WHEN @step <= 0 OR n.priority >= @max THEN NULL ELSE @now + make_interval(secs => @step) END
            FROM next n
            WHERE h.job_id = (SELECT id FROM claimed)
        ),
        retired AS (
            DELETE FROM queue_heads h
            WHERE h.job_id = (SELECT id FROM claimed) AND NOT EXISTS (SELECT 1 FROM next)
        ),
        restarted AS (
            UPDATE queue_heads h
            SET served_at = @now, effective = h.priority, blocked = h.blocked OR (SELECT now_at_limit FROM pick),
                next_age_at = CASE WHEN @step <= 0 OR h.priority >= @max THEN NULL ELSE @now + make_interval(secs => @step) END,
                passed_over_at = CASE WHEN h.job_id = (SELECT passed_job FROM pick WHERE by_affinity)
                                      THEN coalesce(h.passed_over_at, @now) ELSE h.passed_over_at END
            WHERE h.user_id = (SELECT user_id FROM claimed) AND h.job_id <> (SELECT id FROM claimed)
        ),
        passed AS (
            UPDATE queue_heads h SET passed_over_at = @now
            WHERE h.job_id = (SELECT passed_job FROM pick WHERE by_affinity) AND h.passed_over_at IS NULL
              AND h.user_id <> (SELECT user_id FROM claimed)
        )
        SELECT * FROM claimed
        """;

    /// <summary>Owners at their running limit among the heads a claim for the worker reads (the window of <see cref="AgeThenClaim"/>).</summary>
    public const string OwnersAtLimit = """
        SELECT DISTINCT t.user_id AS "Value"
        FROM unnest(@models) AS m(model_id)
        CROSS JOIN LATERAL (
            SELECT h.user_id FROM queue_heads h
            JOIN jobs j ON j.id = h.job_id AND j.status = 'queued'
            WHERE h.model_id = m.model_id AND NOT h.blocked AND (h.available_at IS NULL OR h.available_at <= @now)
              AND NOT (h.model_id = ANY(@deferred)
                       AND greatest(h.created_at, coalesce(h.available_at, h.created_at)) > @now - make_interval(secs => @grace))
              AND NOT (h.loras IS NOT NULL
                       AND greatest(h.created_at, coalesce(h.available_at, h.created_at)) > @now - make_interval(secs => @lora_grace)
                       AND NOT (string_to_array(h.loras, ',') && @held)
                       AND EXISTS (SELECT 1 FROM unnest(@holder_models, @holder_loras) AS o(model_id, lora_id)
                                   WHERE o.model_id = h.model_id AND o.lora_id = ANY(string_to_array(h.loras, ','))))
            ORDER BY h.effective DESC, h.served_at NULLS FIRST, h.created_at, h.job_id
            LIMIT @depth) t
        JOIN users u ON u.id = t.user_id
        JOIN plans p ON p.id = u.plan_id
        WHERE p.concurrent_jobs IS NOT NULL
          AND (SELECT count(*) FROM jobs r WHERE r.user_id = t.user_id AND r.status = 'running') >= p.concurrent_jobs
        """;

    /// <summary>Clears <c>blocked</c> on heads whose owner is below the running limit (only blocked heads are read).</summary>
    public const string UnblockFreed = """
        UPDATE queue_heads h SET blocked = false
        FROM users u JOIN plans p ON p.id = u.plan_id
        WHERE h.blocked AND u.id = h.user_id
          AND (p.concurrent_jobs IS NULL
               OR (SELECT count(*) FROM jobs r WHERE r.user_id = h.user_id AND r.status = 'running') < p.concurrent_jobs)
        """;
}
