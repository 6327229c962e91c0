namespace Pingvas.Server.Accounts;

public sealed class User
{
    public Guid Id { get; set; }

    /// <summary>Lower-cased and trimmed; unique.</summary>
    public required string Email { get; set; }

    public required string Name { get; set; }

    public required string PasswordHash { get; set; }

    public string Role { get; set; } = Roles.User;

    public required string PlanId { get; set; }

    /// <summary>The current billing period; the plan's monthly credits are granted per period.</summary>
    public DateTime PeriodStart { get; set; }

    public DateTime PeriodEnd { get; set; }

    /// <summary>When one of this user's jobs last started: the queue's fairness key.</summary>
    public DateTime? LastServedAt { get; set; }

    public DateTime CreatedAt { get; set; }
}

public static class Roles
{
    public const string User = "user";
    public const string Admin = "admin";
}
