using System.Text;

using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

using Pingvas.Server.Accounts;
using Pingvas.Server.Admin;
using Pingvas.Server.Catalog;
using Pingvas.Server.Credits;
using Pingvas.Server.Gallery;
using Pingvas.Server.Jobs;
using Pingvas.Server.Loras;
using Pingvas.Server.Outbox;
using Pingvas.Server.Uploads;
using Pingvas.Server.Workers;
using Pingvas.Server.Workflows;

namespace Pingvas.Server.Data;

/// <summary>
/// The one database context. The schema comes from the SQL migrations in Data/Migrations (EF Core
/// Design is not available here), so this mapping must agree with them: names are snake_case and
/// enums are stored as their lower-case names.
/// </summary>
public sealed class PingvasDb : DbContext
{
    public PingvasDb(DbContextOptions<PingvasDb> options)
        : base(options)
    {
        // Our transactions roll back as a whole on any failure, so the savepoint EF Core wraps
        // around each SaveChanges inside one would only cost two more round trips.
        Database.AutoSavepointsEnabled = false;
    }

    public DbSet<User> Users => Set<User>();

    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();

    public DbSet<LoginThrottleRow> LoginThrottles => Set<LoginThrottleRow>();

    public DbSet<Plan> Plans => Set<Plan>();

    public DbSet<ImageModel> Models => Set<ImageModel>();

    public DbSet<Lot> Lots => Set<Lot>();

    public DbSet<LedgerEntry> Ledger => Set<LedgerEntry>();

    public DbSet<LotHold> LotHolds => Set<LotHold>();

    public DbSet<Job> Jobs => Set<Job>();

    public DbSet<Image> Images => Set<Image>();

    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();

    public DbSet<Queue.QueueHeadRow> QueueHeads => Set<Queue.QueueHeadRow>();

    public DbSet<Upload> Uploads => Set<Upload>();

    public DbSet<WorkerRow> Workers => Set<WorkerRow>();

    public DbSet<TotpRecoveryCode> TotpRecoveryCodes => Set<TotpRecoveryCode>();

    public DbSet<AuditEntry> AdminAudit => Set<AuditEntry>();

    public DbSet<Billing.BillingEvent> BillingEvents => Set<Billing.BillingEvent>();

    public DbSet<Billing.Subscription> Subscriptions => Set<Billing.Subscription>();

    public DbSet<Billing.BillingPayment> BillingPayments => Set<Billing.BillingPayment>();

    public DbSet<AccountToken> AccountTokens => Set<AccountToken>();

    public DbSet<Notices.Notice> Notices => Set<Notices.Notice>();

    public DbSet<Notices.NotificationSettings> NotificationSettings => Set<Notices.NotificationSettings>();

    public DbSet<Accounts.External.ExternalLogin> ExternalLogins => Set<Accounts.External.ExternalLogin>();

    public DbSet<Accounts.External.ExternalSignInCode> ExternalSignInCodes => Set<Accounts.External.ExternalSignInCode>();

    public DbSet<SavedWorkflow> Workflows => Set<SavedWorkflow>();

    public DbSet<SharedWorkflow> SharedWorkflows => Set<SharedWorkflow>();

    public DbSet<Lora> Loras => Set<Lora>();

    public DbSet<JobInput> JobInputs => Set<JobInput>();

    public DbSet<Folder> Folders => Set<Folder>();

    public DbSet<ImageTag> ImageTags => Set<ImageTag>();

    public DbSet<Sharing.Share> Shares => Set<Sharing.Share>();

    public DbSet<Sharing.ShareView> ShareViews => Set<Sharing.ShareView>();

    public DbSet<Presets.Preset> Presets => Set<Presets.Preset>();

    public DbSet<Presets.SharedPreset> SharedPresets => Set<Presets.SharedPreset>();

    public DbSet<YourData.DataExport> DataExports => Set<YourData.DataExport>();

    public DbSet<Developer.ApiKey> ApiKeys => Set<Developer.ApiKey>();

    public DbSet<Developer.ApiUsage> ApiUsage => Set<Developer.ApiUsage>();

    public DbSet<Developer.ApiKeyDay> ApiKeyDays => Set<Developer.ApiKeyDay>();

    public DbSet<Webhooks.WebhookEndpoint> WebhookEndpoints => Set<Webhooks.WebhookEndpoint>();

    public DbSet<Webhooks.WebhookDefaultSecret> WebhookDefaultSecrets => Set<Webhooks.WebhookDefaultSecret>();

    public DbSet<Webhooks.WebhookDelivery> WebhookDeliveries => Set<Webhooks.WebhookDelivery>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<User>().ToTable("users");
        // The storage totals belong to the database's triggers: EF reads them and never writes them,
        // so a saved user (tracked since before a trigger changed its row) cannot put a stale total back.
        foreach (var total in new[] { nameof(User.StoredBytes), nameof(User.ReservedBytes) })
        {
            b.Entity<User>().Property(total).Metadata.SetBeforeSaveBehavior(PropertySaveBehavior.Ignore);
            b.Entity<User>().Property(total).Metadata.SetAfterSaveBehavior(PropertySaveBehavior.Ignore);
        }

        b.Entity<RefreshToken>().ToTable("refresh_tokens");
        b.Entity<LoginThrottleRow>().ToTable("login_throttles");
        b.Entity<Plan>().ToTable("plans");
        b.Entity<ImageModel>().ToTable("models");
        b.Entity<Lot>().ToTable("credit_lots");
        b.Entity<LedgerEntry>().ToTable("ledger_entries");
        b.Entity<LotHold>().ToTable("lot_holds");
        b.Entity<Job>().ToTable("jobs");
        b.Entity<Image>().ToTable("images");
        b.Entity<OutboxMessage>().ToTable("outbox");
        b.Entity<Queue.QueueHeadRow>().ToTable("queue_heads").HasKey(h => new { h.UserId, h.ModelId });
        b.Entity<Upload>().ToTable("uploads");
        b.Entity<Upload>().Ignore(x => x.ContentType);
        b.Entity<WorkerRow>().ToTable("workers");
        b.Entity<TotpRecoveryCode>().ToTable("totp_recovery_codes");
        b.Entity<AuditEntry>().ToTable("admin_audit");
        b.Entity<Billing.BillingEvent>().ToTable("billing_events");
        b.Entity<Billing.Subscription>().ToTable("subscriptions").Ignore(x => x.IsLive);
        b.Entity<Billing.BillingPayment>().ToTable("billing_payments");
        b.Entity<AccountToken>().ToTable("account_tokens");
        b.Entity<Notices.Notice>().ToTable("notices");
        b.Entity<Notices.NotificationSettings>().ToTable("notification_settings").HasKey(x => x.UserId);
        b.Entity<Accounts.External.ExternalLogin>().ToTable("external_logins").HasKey(x => new { x.Provider, x.Subject });
        b.Entity<Accounts.External.ExternalSignInCode>().ToTable("external_sign_in_codes").HasKey(x => x.CodeHash);
        b.Entity<SavedWorkflow>().ToTable("workflows");
        b.Entity<SharedWorkflow>().ToTable("shared_workflows");
        b.Entity<Lora>().ToTable("loras");
        b.Entity<JobInput>().ToTable("job_inputs").HasKey(x => new { x.JobId, x.Kind, x.RefId });
        b.Entity<Folder>().ToTable("folders");
        b.Entity<ImageTag>().ToTable("image_tags").HasKey(x => new { x.ImageId, x.Tag });
        b.Entity<Sharing.Share>().ToTable("shares");
        b.Entity<Sharing.ShareView>().ToTable("share_views").HasKey(x => new { x.ShareId, x.Visitor });
        b.Entity<Presets.Preset>().ToTable("presets");
        b.Entity<Presets.SharedPreset>().ToTable("shared_presets");
        b.Entity<YourData.DataExport>().ToTable("data_exports");
        b.Entity<Developer.ApiKey>().ToTable("api_keys");
        b.Entity<Developer.ApiUsage>().ToTable("api_usage").HasKey(x => new { x.UserId, x.Period });
        b.Entity<Developer.ApiKeyDay>().ToTable("api_key_days").HasKey(x => new { x.KeyId, x.Day });
        b.Entity<Webhooks.WebhookEndpoint>().ToTable("webhook_endpoints");
        b.Entity<Webhooks.WebhookDefaultSecret>().ToTable("webhook_default_secrets").HasKey(x => x.UserId);
        b.Entity<Webhooks.WebhookDelivery>().ToTable("webhook_deliveries");

        // A trashed image is hidden from every query but the trash's own, which says IgnoreQueryFilters:
        // nothing can list, share, reuse or take it as an input. Storage usage and the orphan sweep count it.
        b.Entity<Image>().HasQueryFilter(i => i.DeletedAt == null);

        b.Entity<Lot>().Property(x => x.Source).HasConversion(EnumText<Core.Credits.LotSource>());
        b.Entity<LedgerEntry>().Property(x => x.Kind).HasConversion(EnumText<LedgerKind>());
        b.Entity<Job>().Property(x => x.Status).HasConversion(EnumText<JobStatus>());
        b.Entity<Job>().Property(x => x.Kind).HasConversion(EnumText<JobKind>());

        // Foreign keys without navigations, so one SaveChanges batch inserts a job before its holds and images.
        b.Entity<LotHold>().HasOne<Job>().WithMany().HasForeignKey(h => h.JobId);
        b.Entity<LotHold>().HasOne<Lot>().WithMany().HasForeignKey(h => h.LotId);
        b.Entity<Image>().HasOne<Job>().WithMany().HasForeignKey(i => i.JobId);
        b.Entity<Queue.QueueHeadRow>().HasOne<Job>().WithMany().HasForeignKey(h => h.JobId);

        foreach (var entity in b.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));

                // Every time is UTC; SQLite keeps no kind, so mark it on the way out.
                if (property.ClrType == typeof(DateTime))
                {
                    property.SetValueConverter(UtcConverter);
                }
                else if (property.ClrType == typeof(DateTime?))
                {
                    property.SetValueConverter(NullableUtcConverter);
                }
            }
        }
    }

    private static readonly ValueConverter<DateTime, DateTime> UtcConverter =
        new(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private static readonly ValueConverter<DateTime?, DateTime?> NullableUtcConverter =
        new(v => v, v => v == null ? v : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));

    private static ValueConverter<T, string> EnumText<T>()
        where T : struct, Enum =>
        new(v => v.ToString().ToLowerInvariant(), v => Enum.Parse<T>(v, true));

    internal static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && !char.IsUpper(name[i - 1]))
            {
                sb.Append('_');
            }
            else if (char.IsDigit(name[i]) && i > 0 && !char.IsDigit(name[i - 1]))
            {
                sb.Append('_');
            }

            sb.Append(char.ToLowerInvariant(name[i]));
        }

        return sb.ToString();
    }
}
