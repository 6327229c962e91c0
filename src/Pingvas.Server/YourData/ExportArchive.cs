using System.IO.Compression;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Data;
using Pingvas.Server.Storage;

namespace Pingvas.Server.YourData;

/// <summary>
/// Writes one user's data as a ZIP into a stream: <c>account.json</c> (no password hash, no TOTP
/// secret), <c>jobs.json</c>, <c>ledger.json</c>, <c>payments.json</c>, <c>images.json</c> (metadata,
/// folder, tags, starred, trashed), <c>folders.json</c>, <c>uploads.json</c>, <c>loras.json</c> (lists,
/// not the files) and <c>images/&lt;id&gt;.png</c>, each original streamed from the object store.
/// Runs in a scope keyed to the user, so it can read nobody else's rows.
/// </summary>
public sealed class ExportArchive(PingvasDb db, IObjectStore store)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web) { WriteIndented = true };

    /// <summary>Writes the archive; <paramref name="progress"/> gets 0–99 as it goes (100 is the upload's).</summary>
    public async Task WriteAsync(Guid userId, Stream output, Func<int, Task> progress, CancellationToken ct)
    {
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        await WriteJsonAsync(zip, "account.json", await AccountAsync(userId, ct), ct);
        await WriteJsonAsync(zip, "jobs.json", await JobsAsync(userId, ct), ct);
        await WriteJsonAsync(zip, "ledger.json", await db.Ledger.AsNoTracking().Where(e => e.UserId == userId).OrderBy(e => e.Id)
            .Select(e => new { e.Id, Kind = e.Kind.ToString().ToLowerInvariant(), e.Amount, e.BalanceAfter, e.Reason, e.JobId, e.CreatedAt }).ToListAsync(ct), ct);
        await WriteJsonAsync(zip, "payments.json", await db.BillingPayments.AsNoTracking().Where(p => p.UserId == userId).OrderBy(p => p.At)
            .Select(p => new { p.Provider, p.Reference, p.Kind, p.Description, p.Amount, p.Currency, p.Status, p.At }).ToListAsync(ct), ct);
        await WriteJsonAsync(zip, "folders.json", await db.Folders.AsNoTracking().Where(f => f.UserId == userId).OrderBy(f => f.Id)
            .Select(f => new { f.Id, f.ParentId, f.Name, f.CreatedAt }).ToListAsync(ct), ct);
        await WriteJsonAsync(zip, "uploads.json", await db.Uploads.AsNoTracking().Where(u => u.UserId == userId).OrderBy(u => u.Id)
            .Select(u => new { u.Id, u.Format, u.Width, u.Height, u.Bytes, u.CreatedAt }).ToListAsync(ct), ct);
        await WriteJsonAsync(zip, "loras.json", await db.Loras.AsNoTracking().Where(l => l.UserId == userId).OrderBy(l => l.Id)
            .Select(l => new { l.Id, l.Name, l.FileName, l.Family, l.Bytes, l.FileHash, l.TriggerWords, l.CreatedAt }).ToListAsync(ct), ct);

        // Trashed images are still the user's data: included, marked with deletedAt.
        var images = await db.Images.IgnoreQueryFilters().AsNoTracking().Where(i => i.UserId == userId).OrderBy(i => i.Id).ToListAsync(ct);
        var tags = (await db.ImageTags.AsNoTracking().Where(t => t.UserId == userId).Select(t => new { t.ImageId, t.Tag }).ToListAsync(ct))
            .ToLookup(t => t.ImageId, t => t.Tag);
        var folders = await db.Folders.AsNoTracking().Where(f => f.UserId == userId).ToDictionaryAsync(f => f.Id, f => f.Name, ct);
        await progress(5);

        var written = new HashSet<Guid>();
        for (var n = 0; n < images.Count; n++)
        {
            var image = images[n];
            if (await store.GetAsync(image.OriginalKey, ct) is { } stored)
            {
                await using (stored.Content)
                {
                    // PNG is compressed already: stored as is, which also keeps the build fast.
                    var entry = zip.CreateEntry($"images/{image.Id}.png", CompressionLevel.NoCompression);
                    await using var target = await entry.OpenAsync(ct);
                    await stored.Content.CopyToAsync(target, ct);
                }

                written.Add(image.Id);
            }

            await progress(5 + (94 * (n + 1) / images.Count));
        }

        await WriteJsonAsync(zip, "images.json", images.Select(i => new
        {
            i.Id,
            i.JobId,
            i.BatchIndex,
            Model = i.ModelId,
            i.Prompt,
            i.NegativePrompt,
            i.Seed,
            i.Width,
            i.Height,
            i.StoredBytes,
            i.CreatedAt,
            i.FolderId,
            Folder = i.FolderId is { } folder ? folders.GetValueOrDefault(folder) : null,
            Tags = tags[i.Id].Order(StringComparer.Ordinal).ToList(),
            i.Starred,
            i.UseCount,
            i.DeletedAt,
            File = written.Contains(i.Id) ? $"images/{i.Id}.png" : null,
            Metadata = Parse(i.Metadata),
        }).ToList(), ct);
    }

    private async Task<object> AccountAsync(Guid userId, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, ct);
        var logins = await db.ExternalLogins.AsNoTracking().Where(l => l.UserId == userId)
            .Select(l => new { l.Provider, l.Email, l.CreatedAt, l.LastUsedAt }).ToListAsync(ct);
        return new
        {
            user.Id,
            user.Email,
            user.Name,
            user.Role,
            Plan = user.PlanId,
            user.Language,
            user.CreatedAt,
            user.EmailVerifiedAt,
            TotpEnabled = user.TotpEnabledAt is not null,
            user.RetentionDays,
            user.PeriodStart,
            user.PeriodEnd,
            ExternalLogins = logins,
        };
    }

    private async Task<object> JobsAsync(Guid userId, CancellationToken ct) =>
        await db.Jobs.AsNoTracking().Where(j => j.UserId == userId).OrderBy(j => j.Id).Select(j => new
        {
            j.Id,
            Status = j.Status.ToString().ToLowerInvariant(),
            Kind = j.Kind.ToString().ToLowerInvariant(),
            j.Prompt,
            j.NegativePrompt,
            Model = j.ModelId,
            j.Width,
            j.Height,
            j.Steps,
            j.CfgScale,
            j.Scheduler,
            j.Seed,
            j.BatchSize,
            j.Strength,
            j.UpscaleScale,
            j.Tags,
            j.ReservedCredits,
            j.CreditsCharged,
            j.ErrorCode,
            j.Error,
            j.CreatedAt,
            j.StartedAt,
            j.FinishedAt,
        }).ToListAsync(ct);

    private static async Task WriteJsonAsync<T>(ZipArchive zip, string name, T value, CancellationToken ct)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        await using var target = await entry.OpenAsync(ct);
        await JsonSerializer.SerializeAsync(target, value, Json, ct);
    }

    /// <summary>The image's stored metadata as JSON, or its text when it is not JSON.</summary>
    private static object Parse(string metadata)
    {
        try
        {
            using var document = JsonDocument.Parse(metadata);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return metadata;
        }
    }
}
