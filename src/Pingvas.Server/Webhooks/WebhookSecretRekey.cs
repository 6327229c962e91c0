using System.Security.Cryptography;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Hosting;

namespace Pingvas.Server.Webhooks;

/// <summary>What a re-encryption pass did: rows moved to the current key, and rows no key of the ring opens.</summary>
public sealed record RekeyResult(int Rekeyed, int Unreadable);

/// <summary>
/// Re-encrypts stored webhook secrets (endpoints' and accounts' default ones, current and previous)
/// under the current signing key, so that after a rotation the old key can leave
/// <c>Auth:PreviousSigningKeys</c>. Runs where migrations run (<c>pingvas migrate</c>, and serve on
/// SQLite at start): a row already under the current key is skipped in the query, so a pass with
/// nothing to do is one cheap read per table (plus a trial decryption per <c>v1:</c> row, which is
/// left as it is while the current key opens it). Needs a system-context scope (rows of every user).
/// </summary>
public sealed class WebhookSecretRekey(PingvasDb db, WebhookSecrets secrets, SigningKeys keys, ILogger<WebhookSecretRekey> logger)
{
    /// <summary>Runs the pass after migrations, unless the migrate role was started without a signing key to encrypt under.</summary>
    public static async Task AfterMigrationAsync(IServiceProvider scoped, IConfiguration configuration, CancellationToken ct)
    {
        var logger = scoped.GetRequiredService<ILogger<WebhookSecretRekey>>();
        if (scoped.GetRequiredService<HostRole>().Role == PingvasRole.Migrate && string.IsNullOrWhiteSpace(configuration["Auth:SigningKey"]))
        {
            logger.LogInformation("No Auth:SigningKey: stored webhook secrets were not re-encrypted (give the migrate role the same key as the servers).");
            return;
        }

        await ActivatorUtilities.CreateInstance<WebhookSecretRekey>(scoped).RunAsync(ct);
    }

    public async Task<RekeyResult> RunAsync(CancellationToken ct)
    {
        var prefix = secrets.CurrentPrefix;
        var endpoints = await db.WebhookEndpoints.AsNoTracking()
            .Where(e => !e.Secret.StartsWith(prefix) || (e.PreviousSecret != null && !e.PreviousSecret.StartsWith(prefix)))
            .Select(e => new Row(e.Id, e.UserId, e.Secret, e.PreviousSecret))
            .ToListAsync(ct);
        var defaults = await db.WebhookDefaultSecrets.AsNoTracking()
            .Where(s => !s.Secret.StartsWith(prefix) || (s.PreviousSecret != null && !s.PreviousSecret.StartsWith(prefix)))
            .Select(s => new Row(s.UserId, s.UserId, s.Secret, s.PreviousSecret))
            .ToListAsync(ct);

        endpoints.RemoveAll(NeedsNothing);
        defaults.RemoveAll(NeedsNothing);
        var rekeyed = 0;
        var unreadable = 0;
        foreach (var row in endpoints)
        {
            if (Reencrypt(row) is not var (secret, previous))
            {
                unreadable++;
                continue;
            }

            // Only if nobody rotated it meanwhile (an api process may still be writing under the old key): the next pass takes that one.
            rekeyed += await db.WebhookEndpoints
                .Where(e => e.Id == row.Id && e.Secret == row.Secret && e.PreviousSecret == row.PreviousSecret)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.Secret, secret).SetProperty(e => e.PreviousSecret, previous), ct);
        }

        foreach (var row in defaults)
        {
            if (Reencrypt(row) is not var (secret, previous))
            {
                unreadable++;
                continue;
            }

            rekeyed += await db.WebhookDefaultSecrets
                .Where(s => s.UserId == row.Id && s.Secret == row.Secret && s.PreviousSecret == row.PreviousSecret)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.Secret, secret).SetProperty(d => d.PreviousSecret, previous), ct);
        }

        Report(new RekeyResult(rekeyed, unreadable), endpoints.Count + defaults.Count);
        return new RekeyResult(rekeyed, unreadable);
    }

    // The query cannot tell a v1: row of the current key from one of an older key; this can.
    private bool NeedsNothing(Row row)
    {
        try
        {
            return secrets.IsUnderCurrentKey(row.Secret, row.Owner) && (row.PreviousSecret is null || secrets.IsUnderCurrentKey(row.PreviousSecret, row.Owner));
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return false;
        }
    }

    /// <summary>The row's secrets under the current key, or null when a key of the ring no longer opens one.</summary>
    private (string Secret, string? Previous)? Reencrypt(Row row)
    {
        try
        {
            var secret = secrets.Encrypt(secrets.Decrypt(row.Secret, row.Owner), row.Owner);
            var previous = row.PreviousSecret is null ? null : secrets.Encrypt(secrets.Decrypt(row.PreviousSecret, row.Owner), row.Owner);
            return (secret, previous);
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return null;
        }
    }

    // The operator's signal for the runbook: the old key may be dropped once a pass finds nothing left under it.
    private void Report(RekeyResult result, int found)
    {
        if (result.Unreadable > 0)
        {
            logger.LogWarning(
                "{Unreadable} stored webhook secret row(s) decrypt under no configured signing key (a key was dropped too early): their deliveries fail until the owners rotate those secrets",
                result.Unreadable);
        }

        if (found > 0)
        {
            logger.LogInformation("Re-encrypted {Rekeyed} of {Found} stored webhook secret row(s) under signing key {KeyId}", result.Rekeyed, found, keys.Current.Id);
        }
        else if (keys.Ring.Count > 1)
        {
            logger.LogInformation("Every stored webhook secret is under the current signing key {KeyId}: none needs Auth:PreviousSigningKeys", keys.Current.Id);
        }
    }

    private sealed record Row(Guid Id, Guid Owner, string Secret, string? PreviousSecret);
}
