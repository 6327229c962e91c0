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

    /// <summary>Suspended by an admin: every token is refused and sign-in is refused until lifted.</summary>
    public bool Suspended { get; set; }

    /// <summary>Access tokens carry the version they were issued at; raising it refuses every older token at once.</summary>
    public int TokenVersion { get; set; }

    /// <summary>The UI language chosen for the account (<see cref="Languages"/>), null until chosen.</summary>
    public string? Language { get; set; }

    /// <summary>The TOTP secret in base32; set at enrolment, active once <see cref="TotpEnabledAt"/> is set.</summary>
    public string? TotpSecret { get; set; }

    public DateTime? TotpEnabledAt { get; set; }

    /// <summary>The last TOTP time step accepted: a code of that step or earlier is never accepted again.</summary>
    public long TotpLastStep { get; set; }

    /// <summary>When the account proved it owns <see cref="Email"/>; null until then.</summary>
    public DateTime? EmailVerifiedAt { get; set; }

    /// <summary>Trash unstarred images older than this many days (the retention rule); null: keep everything.</summary>
    public int? RetentionDays { get; set; }

    /// <summary>Set when the account was deleted on request: the row remains only as the anonymised owner of its ledger.</summary>
    public DateTime? DeletedAt { get; set; }

    /// <summary>
    /// Bytes stored: gallery images (trashed ones too, until purged), uploads and LoRA files. Kept by
    /// database triggers (migration 0026_storage_totals) in the transaction of each write; never saved from code.
    /// </summary>
    public long StoredBytes { get; private set; }

    /// <summary>What the user's queued and running jobs reserve for their outputs; kept like <see cref="StoredBytes"/>.</summary>
    public long ReservedBytes { get; private set; }
}

public static class Roles
{
    public const string User = "user";
    public const string Admin = "admin";
}

public static class Languages
{
    public static readonly IReadOnlyList<string> All = ["ko", "en"];
}
