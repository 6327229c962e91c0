using System.Globalization;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Data;
using Pingvas.Server.Email;
using Pingvas.Server.Jobs;
using Pingvas.Server.Outbox;

namespace Pingvas.Server.Notices;

/// <summary>
/// After a job reached its final state, in the transition's transaction: the opt-in completion
/// emails (<see cref="NotificationSettings"/>) through the email outbox, so an email goes out only
/// if the transition commits. A batch of at least the user's <c>batchFinishedMin</c> images that
/// succeeded sends <c>batch_finished</c>; a failure sends <c>job_failed</c> when asked for; a cancel
/// sends nothing. One lookup by key per finished job, none when email is off.
/// </summary>
public sealed class CompletionNotices(PingvasDb db, OutboxWriter outbox, IOptions<EmailOptions> email)
{
    /// <summary>The prompt is cut to this many characters in the email.</summary>
    public const int PromptChars = 120;

    public async Task AfterFinishAsync(Job job, CancellationToken ct)
    {
        if (!email.Value.Enabled || job.Status is not (JobStatus.Succeeded or JobStatus.Failed))
        {
            return;
        }

        var settings = await db.NotificationSettings.AsNoTracking()
            .Where(s => s.UserId == job.UserId)
            .Select(s => new { s.BatchFinishedMin, s.JobFailed })
            .SingleOrDefaultAsync(ct);
        if (settings is null)
        {
            return;
        }

        var data = new Dictionary<string, string> { ["prompt"] = Shorten(job.Prompt), ["generationId"] = job.Id.ToString() };
        if (job.Status == JobStatus.Succeeded && settings.BatchFinishedMin is { } min && job.BatchSize >= min)
        {
            data["count"] = job.BatchSize.ToString(CultureInfo.InvariantCulture);
            outbox.Enqueue(new EmailRequest(EmailKinds.BatchFinished, job.UserId, data));
        }
        else if (job.Status == JobStatus.Failed && settings.JobFailed)
        {
            if (!string.IsNullOrWhiteSpace(job.Error))
            {
                data["reason"] = Shorten(job.Error);
            }

            outbox.Enqueue(new EmailRequest(EmailKinds.JobFailed, job.UserId, data));
        }
    }

    private static string Shorten(string text) =>
        text.Length <= PromptChars ? text : string.Concat(text.AsSpan(0, PromptChars - 1), "…");
}
