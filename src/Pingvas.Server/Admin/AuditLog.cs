using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Accounts;
using Pingvas.Server.Data;

namespace Pingvas.Server.Admin;

/// <summary>
/// Adds an audit row to the context, so it is saved by the same SaveChanges and transaction as
/// the change it describes: who (the signed-in admin), what, on what, before and after, from where.
/// </summary>
public sealed class AuditLog(PingvasDb db, CurrentUser current, IHttpContextAccessor accessor, TimeProvider time)
{
    private const int MaxUserAgentLength = 512;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public async Task AddAsync(string action, string targetType, string? targetId, object? before, object? after, CancellationToken ct)
    {
        var adminId = current.Id;
        var email = await db.Users.AsNoTracking().Where(u => u.Id == adminId).Select(u => u.Email).SingleAsync(ct);
        var http = accessor.HttpContext;
        var agent = http?.Request.Headers.UserAgent.ToString();
        db.AdminAudit.Add(new AuditEntry
        {
            Id = Ids.New(),
            AdminId = adminId,
            AdminEmail = email,
            Action = action,
            TargetType = targetType,
            TargetId = targetId,
            BeforeJson = before is null ? null : JsonSerializer.Serialize(before, JsonOptions),
            AfterJson = after is null ? null : JsonSerializer.Serialize(after, JsonOptions),
            ClientAddress = http?.Connection.RemoteIpAddress?.ToString(),
            UserAgent = string.IsNullOrEmpty(agent) ? null : agent[..Math.Min(agent.Length, MaxUserAgentLength)],
            CreatedAt = time.GetUtcNow().UtcDateTime,
        });
    }
}
