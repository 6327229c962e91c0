using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

using Pingvas.Engines;
using Pingvas.Server.Jobs;

namespace Pingvas.Server.Telemetry;

/// <summary>
/// The "Pingvas" meter and the instruments this process records itself (deploy/monitoring/metrics.yaml
/// is the contract for names, labels and buckets). Code paths call one method each; with no
/// listener enabled an instrument call returns at once, so the hooks cost nothing until /metrics
/// is served. Labels are bounded: plan, model, GPU class, outcome — never a user or job id.
/// The fleet gauges read from the database live in <see cref="FleetGauges"/>.
/// </summary>
public sealed class PingvasMetrics
{
    public const string MeterName = "Pingvas";

    private readonly Histogram<double> queueWait;
    private readonly Counter<long> jobsFinished;
    private readonly Histogram<double> jobRun;
    private readonly Counter<double> gpuSeconds;
    private readonly Counter<long> creditsCharged;
    private readonly Counter<double> workerBusy;
    private readonly Counter<long> modelLoads;
    private readonly Histogram<double> modelLoad;
    private readonly Counter<long> webhookDeliveries;
    private readonly Counter<long> emails;
    private readonly Counter<long> creditsGranted;
    private readonly Counter<long> payments;
    private readonly Counter<double> revenue;

    public PingvasMetrics(IMeterFactory meters, MetricsPlans plans)
    {
        Plans = plans;
        Meter = meters.Create(MeterName);
        queueWait = Meter.CreateHistogram("pingvas_queue_wait_seconds", "s", "Time from enqueue to start (recorded when a worker claims the job).",
            advice: Buckets(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600));
        jobsFinished = Meter.CreateCounter<long>("pingvas_jobs_finished", null, "Jobs that reached a final state; outcome = succeeded|failed|cancelled.");
        jobRun = Meter.CreateHistogram("pingvas_job_run_seconds", "s", "Engine run time of a finished job (what the user pays for).",
            advice: Buckets(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600));
        gpuSeconds = Meter.CreateCounter<double>("pingvas_gpu_seconds", null, "Billed GPU-seconds of succeeded jobs.");
        creditsCharged = Meter.CreateCounter<long>("pingvas_credits_charged", null,
            "Credits charged for succeeded jobs (Enterprise usage is recorded at 0 charge but counted in gpu seconds).");
        workerBusy = Meter.CreateCounter<double>("pingvas_worker_busy_seconds", null, "Seconds this process's workers spent running jobs.");
        modelLoads = Meter.CreateCounter<long>("pingvas_model_loads", null, "Model loads reported by engines (a job whose model was not loaded yet).");
        modelLoad = Meter.CreateHistogram("pingvas_model_load_seconds", "s", "Duration of those model loads.",
            advice: Buckets(0.5, 1, 2, 5, 10, 20, 30, 60, 120));
        webhookDeliveries = Meter.CreateCounter<long>("pingvas_webhook_deliveries", null, "Webhook delivery attempts; outcome = delivered|failed|disabled.");
        emails = Meter.CreateCounter<long>("pingvas_emails", null, "Email sends; outcome = sent|failed.");
        creditsGranted = Meter.CreateCounter<long>("pingvas_credits_granted", null, "Credits added to balances; kind = plan|topup|refund|adjustment.");
        payments = Meter.CreateCounter<long>("pingvas_payments", null,
            "Payment events from billing webhooks; kind = subscription|renewal|topup, outcome = paid|failed|refunded.");
        revenue = Meter.CreateCounter<double>("pingvas_revenue", null, "Money received (major units, e.g. USD), from paid billing events.");
    }

    public Meter Meter { get; }

    public MetricsPlans Plans { get; }

    /// <summary>A worker claimed <paramref name="job"/>: its wait since submission, by plan (from the job row, no query).</summary>
    public void Claimed(Job job)
    {
        if (queueWait.Enabled && job.StartedAt is { } started)
        {
            queueWait.Record(Math.Max(0, (started - job.CreatedAt).TotalSeconds), new KeyValuePair<string, object?>("plan", Plans.NameOf(job.Priority)));
        }
    }

    /// <summary>A job reached a final state (called after its transaction committed): outcome, and for a success what it cost.</summary>
    public void Finished(Job job)
    {
        if (!jobsFinished.Enabled)
        {
            return;
        }

        var plan = Plans.Of(job.Priority);
        var outcome = job.Status switch
        {
            JobStatus.Succeeded => "succeeded",
            JobStatus.Cancelled => "cancelled",
            _ => "failed",
        };
        jobsFinished.Add(1, new TagList { { "outcome", outcome }, { "model", job.ModelId }, { "plan", plan.Name } });
        if (job.Status == JobStatus.Succeeded)
        {
            var tags = new TagList { { "model", job.ModelId }, { "plan", plan.Name } };
            gpuSeconds.Add((job.ComputeMs ?? 0) / 1000.0, tags);
            // Unlimited plans record usage, not a charge.
            creditsCharged.Add(plan.Unlimited ? 0 : job.CreditsCharged ?? 0, tags);
        }
    }

    /// <summary>An engine finished <paramref name="model"/> on <paramref name="gpuClass"/>: its run time, and its model load if it had one.</summary>
    public void Ran(string model, string gpuClass, EngineResult result)
    {
        var tags = new TagList { { "model", model }, { "gpu_class", gpuClass } };
        jobRun.Record(result.ComputeTime.TotalSeconds, tags);
        if (result.ModelLoadTime > TimeSpan.Zero)
        {
            modelLoads.Add(1, tags);
            modelLoad.Record(result.ModelLoadTime.TotalSeconds, tags);
        }
    }

    /// <summary>A worker of <paramref name="gpuClass"/> spent <paramref name="busy"/> on a job (whatever its end).</summary>
    public void WorkerBusy(string gpuClass, TimeSpan busy) =>
        workerBusy.Add(busy.TotalSeconds, new KeyValuePair<string, object?>("gpu_class", gpuClass));

    /// <summary>One webhook delivery attempt: delivered, failed, or failed and its endpoint disabled.</summary>
    public void WebhookAttempt(string outcome) => webhookDeliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>One email send of <paramref name="template"/> (an <c>EmailKinds</c> value, a bounded set).</summary>
    public void Email(string template, bool sent) =>
        emails.Add(1, new KeyValuePair<string, object?>("template", template), new KeyValuePair<string, object?>("outcome", sent ? "sent" : "failed"));

    /// <summary>Credits added to a balance: <paramref name="kind"/> = plan|topup|refund|adjustment (a negative adjustment adds nothing).</summary>
    public void CreditsGranted(string kind, int amount)
    {
        if (amount > 0)
        {
            creditsGranted.Add(amount, new KeyValuePair<string, object?>("kind", kind));
        }
    }

    /// <summary>A payment line from a billing webhook; paid ones add to revenue (amount in minor units: cents, or whole won and yen).</summary>
    public void Payment(string provider, string kind, string status, int amountMinor, string currency)
    {
        payments.Add(1, new TagList { { "provider", provider }, { "kind", kind }, { "outcome", status } });
        if (status == "paid")
        {
            var major = ZeroDecimal.Contains(currency.ToUpperInvariant()) ? amountMinor : amountMinor / 100.0;
            revenue.Add(major, new KeyValuePair<string, object?>("provider", provider),
                new KeyValuePair<string, object?>("currency", currency.ToLowerInvariant()));
        }
    }

    /// <summary>
    /// The delivery counters of serve and api at 0 for every outcome and email template, once the
    /// exporter listens: a rate over them works (and the scrape test finds them) before the first send.
    /// </summary>
    public void StartDeliveryCounters()
    {
        foreach (var outcome in new[] { "delivered", "failed", "disabled" })
        {
            webhookDeliveries.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
        }

        var templates = typeof(Pingvas.Server.Email.EmailKinds).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).Where(Pingvas.Server.Email.EmailTemplates.IsKnown);
        foreach (var template in templates)
        {
            emails.Add(0, new KeyValuePair<string, object?>("template", template), new KeyValuePair<string, object?>("outcome", "sent"));
            emails.Add(0, new KeyValuePair<string, object?>("template", template), new KeyValuePair<string, object?>("outcome", "failed"));
        }
    }

    /// <summary>Currencies without minor units (as Email/EmailTemplates formats them).</summary>
    private static readonly HashSet<string> ZeroDecimal = ["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"];

    private static InstrumentAdvice<double> Buckets(params double[] bounds) => new() { HistogramBucketBoundaries = bounds };
}
