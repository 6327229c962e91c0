namespace Pingvas.Server.Realtime;

/// <summary>The PostgreSQL <c>LISTEN/NOTIFY</c> channels the processes of one deployment share.</summary>
public static class EventChannels
{
    /// <summary>Generation events for the owner's SignalR connections (payload: <see cref="GenerationEventPayload"/>). API processes listen.</summary>
    public const string Events = "pingvas_events";

    /// <summary>Queue wake-ups (empty payload): a submit, a finished job, a re-queued job. Workers listen.</summary>
    public const string Queue = "pingvas_queue";

    /// <summary>Outbox wake-ups (empty payload), sent at commit by an insert trigger on <c>outbox</c>. Every process's dispatcher listens.</summary>
    public const string Outbox = "pingvas_outbox";

    /// <summary>Cancel requests (payload: the job id). The worker running the job stops it at once.</summary>
    public const string Cancel = "pingvas_cancel";

    /// <summary>A user was signed out everywhere or suspended (payload: the user id). API processes close that user's hub connections.</summary>
    public const string SignOut = "pingvas_signout";

    /// <summary>An API key was revoked (payload: the key id). API processes end the event streams opened with it.</summary>
    public const string KeyRevoked = "pingvas_key_revoked";

    /// <summary>A new in-app notice (payload: Notices/NoticeMessage JSON). API processes send it to the owner's hub connections.</summary>
    public const string Notices = "pingvas_notices";
}
