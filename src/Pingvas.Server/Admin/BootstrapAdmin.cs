using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Server.Accounts;
using Pingvas.Server.Credits;
using Pingvas.Server.Data;

namespace Pingvas.Server.Admin;

/// <summary>Section <c>Bootstrap</c>: the first admin, created at start (environment <c>Bootstrap__AdminEmail</c>, <c>Bootstrap__AdminPassword</c>).</summary>
public sealed class BootstrapOptions
{
    public string? AdminEmail { get; set; }

    public string? AdminPassword { get; set; }
}

/// <summary>
/// Creates the first admin when both settings are given and no account has that email; once one
/// exists the settings are ignored (its password and role are never changed from here). The
/// password is never logged.
/// </summary>
public static class BootstrapAdmin
{
    public const string Name = "Administrator";

    /// <summary>True when it created the account.</summary>
    public static async Task<bool> RunAsync(IServiceProvider services, ILogger logger, CancellationToken ct)
    {
        var options = services.GetRequiredService<IOptions<BootstrapOptions>>().Value;
        if (string.IsNullOrWhiteSpace(options.AdminEmail) && string.IsNullOrEmpty(options.AdminPassword))
        {
            return false;
        }

        var errors = AccountRules.CheckRegistration(options.AdminEmail, options.AdminPassword, Name);
        if (errors.Count > 0)
        {
            // A configuration mistake: say which setting, never its value.
            throw new InvalidOperationException(
                $"Bootstrap__AdminEmail and Bootstrap__AdminPassword: {string.Join(" ", errors.Values.SelectMany(m => m))}");
        }

        await using var scope = services.CreateSystemScope();
        var db = scope.ServiceProvider.GetRequiredService<PingvasDb>();
        var email = AccountRules.NormalizeEmail(options.AdminEmail);
        await using var tx = await db.BeginWriteAsync(ct);
        if (await db.Users.AnyAsync(u => u.Email == email, ct))
        {
            logger.LogInformation("Bootstrap admin {Email} already exists; the Bootstrap settings are ignored.", email);
            return false;
        }

        var user = new User
        {
            Id = Ids.New(),
            Email = email,
            Name = Name,
            PasswordHash = "",
            Role = Roles.Admin,
            PlanId = "free",
            CreatedAt = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime,
        };
        user.EmailVerifiedAt = user.CreatedAt; // the operator configured this address
        user.PasswordHash = scope.ServiceProvider.GetRequiredService<IPasswordHasher<User>>().HashPassword(user, options.AdminPassword!);
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (EmailTaken.Is(ex))
        {
            // Another process of the same deployment created it first.
            return false;
        }

        await scope.ServiceProvider.GetRequiredService<PlanPeriods>().StartAsync(user, ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Created the bootstrap admin {Email}; it must enrol TOTP before the admin routes answer.", email);
        return true;
    }
}
