namespace Pingvas.Server.Admin;

/// <summary>One account as the admin list shows it.</summary>
public sealed record AdminUserDto(
    Guid Id, string Email, string Name, string Role, string Plan, int Balance, int Reserved, bool Unlimited, bool Suspended, bool TotpEnabled,
    DateTime PeriodEnd, DateTime CreatedAt);

public sealed record AdminUserPatch(string? Plan, bool? Suspended);

/// <param name="ExpiresAt">A positive adjustment's expiry; none means it never expires.</param>
public sealed record CreditAdjustmentRequest(int? Amount, string? Reason, DateTime? ExpiresAt);

/// <param name="Replayed">True when the Idempotency-Key was used before: nothing changed, this is the first result.</param>
public sealed record CreditAdjustmentResponse(Guid EntryId, int Amount, int BalanceAfter, string Reason, bool Replayed, AdminUserDto User);

public sealed record AuditEntryDto(
    Guid Id, Guid AdminId, string AdminEmail, string Action, string TargetType, string? TargetId, string? Before, string? After,
    string? ClientAddress, string? UserAgent, DateTime CreatedAt);

public sealed record PlanCount(string Plan, int Users);

public sealed record DayCount(string Day, int Jobs, int Succeeded, int Failed, int CreditsCharged);

public sealed record PlanQueue(string Plan, int Queued, int Running, double OldestWaitSeconds);

/// <summary>The admin dashboard's numbers. Days are UTC dates (yyyy-MM-dd), oldest first, every one of the last 30 present.</summary>
public sealed record AdminStats(IReadOnlyList<PlanCount> UsersByPlan, int TotalUsers, IReadOnlyList<DayCount> Days, IReadOnlyList<PlanQueue> Queue, DateTime GeneratedAt);
