using System.Text.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Data;
using Pingvas.Server.Email;
using Pingvas.Server.Outbox;

namespace Pingvas.Server.Notices;

/// <summary>
/// Writes notices into the caller's transaction, once per dedupe key, each with its hub event (an
/// outbox message, so it is sent only if the notice commits) and, when email is on, its email.
/// The caller saves, commits and wakes the outbox.
/// </summary>
public sealed class NoticeService(PingvasDb db, OutboxWriter outbox, IOptions<EmailOptions> email, TimeProvider time)
{
    /// <summary>False (and nothing written) when the user already has a notice with <paramref name="dedupeKey"/>.</summary>
    public async Task<bool> AddAsync(Guid userId, string kind, IReadOnlyDictionary<string, object?> data, string dedupeKey, EmailRequest? mail, CancellationToken ct)
    {
        if (await db.Notices.AnyAsync(n => n.UserId == userId && n.DedupeKey == dedupeKey, ct))
        {
            return false;
        }

        var notice = new Notice
        {
            Id = Ids.New(),
            UserId = userId,
            Kind = kind,
            Data = JsonSerializer.Serialize(data, JsonSerializerOptions.Web),
            DedupeKey = dedupeKey,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.Notices.Add(notice);
        outbox.Add(NoticeMessage.Topic, userId, NoticeMessage.Serialize(userId, notice.ToDto()));
        if (mail is not null && email.Value.Enabled)
        {
            outbox.Enqueue(mail);
        }

        return true;
    }
}
