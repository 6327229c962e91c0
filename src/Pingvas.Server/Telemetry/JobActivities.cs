using System.Diagnostics;

using Pingvas.Server.Jobs;

namespace Pingvas.Server.Telemetry;

/// <summary>
/// The spans of a generation on the <c>Pingvas</c> ActivitySource. In the API process
/// <c>generation.submit</c> runs under ASP.NET Core's request span, and the job stores the submit's
/// W3C context (<see cref="Job.TraceContext"/>). The worker that claims the job, in whatever process,
/// starts its spans under that stored context: <c>generation.queue_wait</c> (enqueue to claim,
/// recorded at the claim with explicit times), <c>generation.claim</c>, <c>generation.run</c> (the
/// engine's HTTP calls are its children) and, inside the run, <c>generation.settle</c>.
/// Attributes are bounded ids and names only: never a prompt, a URL with a token, or a secret.
/// With no listener every Start returns null, so a process without tracing pays nothing.
/// </summary>
public static class JobActivities
{
    public const string SourceName = "Pingvas";

    public const string Submit = "generation.submit";
    public const string QueueWait = "generation.queue_wait";
    public const string Claim = "generation.claim";
    public const string Run = "generation.run";
    public const string Settle = "generation.settle";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The submit span, a child of the request span; the caller disposes it when the submit returns.</summary>
    public static Activity? StartSubmit() => Source.StartActivity(Submit);

    /// <summary>
    /// The job is about to be stored: it keeps the current context (the submit span, else the request's
    /// own activity, which ASP.NET Core creates for its logs even without tracing), so the worker's
    /// spans and logs join this trace.
    /// </summary>
    public static void Enqueued(Job job)
    {
        if (Activity.Current is not { IdFormat: ActivityIdFormat.W3C } current)
        {
            return;
        }

        if (current.Source == Source && current.OperationName == Submit)
        {
            current.SetTag("pingvas.job.id", job.Id.ToString());
            current.SetTag("pingvas.job.kind", job.Kind.ToString().ToLowerInvariant());
            current.SetTag("pingvas.model", job.ModelId);
        }

        job.TraceContext = string.IsNullOrEmpty(current.TraceStateString) ? current.Id : $"{current.Id} {current.TraceStateString}";
    }

    /// <summary>
    /// A worker claimed <paramref name="job"/>, having begun at <paramref name="claimStarted"/>: records the
    /// queue wait (enqueue, or the end of a retry's backoff, to the claim) and returns the claim span,
    /// which the caller disposes once the claim's own writes are done.
    /// </summary>
    public static Activity? Claimed(Job job, DateTime claimStarted)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var parent = ParentOf(job);
        var queued = job.Attempt > 1 && job.AvailableAt is { } available ? available : job.CreatedAt;
        // A claim can begin before the submit that it then finds has committed (it waits on the writer's lock):
        // the claim then starts at the enqueue, so no span runs backwards and the wait is zero.
        if (claimStarted < queued)
        {
            claimStarted = queued;
        }

        using (var wait = Source.StartActivity(QueueWait, ActivityKind.Internal, parent, JobTags(job), startTime: Utc(queued)))
        {
            wait?.SetEndTime(DateTime.SpecifyKind(claimStarted, DateTimeKind.Utc));
        }

        var claim = Source.StartActivity(Claim, ActivityKind.Internal, parent, JobTags(job), startTime: Utc(claimStarted));
        claim?.SetTag("pingvas.worker.id", job.WorkerId);
        return claim;
    }

    /// <summary>
    /// The run of a claimed job on <paramref name="engine"/> (instance name) of <paramref name="gpuClass"/>: the current
    /// activity while the engine works, so its HTTP calls and the settlement are children. Without
    /// a recording listener the run still carries the submit's trace id (a plain, unexported activity),
    /// so the worker's log lines can be joined to the API's.
    /// </summary>
    public static Activity? StartRun(Job job, string engine, string gpuClass)
    {
        var parent = ParentOf(job);
        var span = Source.StartActivity(Run, ActivityKind.Internal, parent, JobTags(job));
        if (span is not null)
        {
            span.SetTag("pingvas.worker.id", job.WorkerId);
            span.SetTag("pingvas.engine", engine);
            span.SetTag("pingvas.gpu_class", gpuClass);
            return span;
        }

        if (parent == default)
        {
            return null;
        }

        var plain = new Activity(Run);
        plain.SetParentId(parent.TraceId, parent.SpanId, parent.TraceFlags);
        return plain.Start();
    }

    /// <summary>
    /// The settling transition a run asked for (<c>succeed</c>, <c>fail</c>, <c>cancel</c>, <c>hand_back</c>,
    /// <c>retry</c>); only inside a run's span, so a settlement outside a run starts no stray trace.
    /// </summary>
    public static Activity? StartSettle(JobLease lease, string transition)
    {
        if (Activity.Current is not { } run || run.Source != Source || run.OperationName != Run)
        {
            return null;
        }

        var span = Source.StartActivity(Settle);
        span?.SetTag("pingvas.job.id", lease.JobId.ToString());
        span?.SetTag("pingvas.job.attempt", lease.Attempt);
        span?.SetTag("pingvas.settle.transition", transition);
        if (transition is "fail" or "retry")
        {
            span?.SetStatus(ActivityStatusCode.Error);
            run.SetStatus(ActivityStatusCode.Error);
        }

        return span;
    }

    /// <summary>The submit's context stored on the job, or none (a job from before tracing, or from a process without activities).</summary>
    public static ActivityContext ParentOf(Job job)
    {
        if (job.TraceContext is not { Length: > 0 } stored)
        {
            return default;
        }

        var space = stored.IndexOf(' ');
        var (traceParent, traceState) = space < 0 ? (stored, null) : (stored[..space], stored[(space + 1)..]);
        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : default;
    }

    private static KeyValuePair<string, object?>[] JobTags(Job job) =>
    [
        new("pingvas.job.id", job.Id.ToString()),
        new("pingvas.job.attempt", job.Attempt),
        new("pingvas.model", job.ModelId),
    ];

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}
