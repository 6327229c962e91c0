using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

using Pingvas.Core.Loras;
using Pingvas.Core.Plans;
using Pingvas.Core.Text;
using Pingvas.Server.Catalog;
using Pingvas.Server.Data;
using Pingvas.Server.Jobs;
using Pingvas.Server.Storage;

namespace Pingvas.Server.Loras;

/// <summary>A file taken into the store but not yet a row: committed with a name, or discarded.</summary>
public sealed record LoraReceipt(Guid Id, string ObjectKey, string FileName, string Family, long Bytes, string Sha256, int TensorCount, IReadOnlyList<string> TriggerWords);

/// <summary>
/// The LoRA use cases. An upload is taken in two steps, because the form's <c>name</c> may come after
/// its file: <see cref="ReceiveAsync"/> checks the header before anything is kept and streams the
/// file into the store; <see cref="CommitAsync"/> writes the row under the owner's lock, checking
/// the storage quota again. The endpoint discards a receipt that is not committed.
/// </summary>
public sealed class LoraService(PingvasDb db, StorageQuota quota, IObjectStore store, TimeProvider time, IOptions<LoraOptions> options, ILogger<LoraService> logger)
{
    public const int MaxNameLength = 100;
    public const int MaxFileNameLength = 255;

    public long MaxBytes => options.Value.MaxBytes;

    /// <summary>The owner's plan, or why a LoRA may not be uploaded with it.</summary>
    public async Task<(Plan Plan, LoraOutcome? Refusal)> PlanAsync(Guid userId, CancellationToken ct)
    {
        var plan = await quota.PlanOfAsync(userId, ct);
        return PlanFeatures.Has(plan.Features, PlanFeatures.Loras)
            ? (plan, null)
            : (plan, new LoraOutcome.PlanForbids($"LoRAs are not part of the {plan.Id} plan; they come with Pro and above."));
    }

    /// <param name="file">The file part, read once; never buffered beyond its header.</param>
    /// <param name="lengthBound">An upper bound of the file's length when the request declared one.</param>
    public async Task<(LoraReceipt? Receipt, LoraOutcome? Refusal)> ReceiveAsync(Guid userId, Plan plan, string fileName, Stream file, long? lengthBound, CancellationToken ct)
    {
        fileName = Path.GetFileName(fileName.Replace('\\', '/')).Trim();
        if (!FreeText.IsAllowed(fileName))
        {
            return (null, new LoraOutcome.Invalid("file", FreeText.Message));
        }

        if (!fileName.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) || fileName.Length > MaxFileNameLength)
        {
            return (null, new LoraOutcome.InvalidSafetensors("Upload a .safetensors file (the file name must end in .safetensors, at most 255 characters)."));
        }

        // The header first, checked before anything is kept.
        var first8 = new byte[8];
        if (await ReadFullyAsync(file, first8, ct) < 8)
        {
            return (null, new LoraOutcome.InvalidSafetensors("The file is shorter than the 8-byte header length a .safetensors file starts with."));
        }

        SafetensorsHeader header;
        byte[] prefix;
        try
        {
            var n = SafetensorsHeader.ReadLength(first8, lengthBound);
            if (8 + n > MaxBytes)
            {
                return (null, TooLarge(8 + n));
            }

            prefix = new byte[8 + n];
            first8.CopyTo(prefix, 0);
            if (await ReadFullyAsync(file, prefix.AsMemory(8), ct) < n)
            {
                return (null, new LoraOutcome.InvalidSafetensors($"The header length {n} is longer than the rest of the file; the file is truncated or not a .safetensors file."));
            }

            header = SafetensorsHeader.Parse(prefix.AsSpan(8));
        }
        catch (InvalidSafetensorsException ex)
        {
            return (null, new LoraOutcome.InvalidSafetensors(ex.Message));
        }

        if (header.FileLength > MaxBytes)
        {
            return (null, TooLarge(header.FileLength));
        }

        var probe = LoraProbe.Inspect(header);
        if (probe is LoraProbeOutcome.NotALora notALora)
        {
            return (null, new LoraOutcome.NotALora(notALora.Detail));
        }

        if (probe is LoraProbeOutcome.UnknownFamily unknown)
        {
            return (null, new LoraOutcome.UnknownFamily(unknown.Detail));
        }

        var detected = (LoraProbeOutcome.Detected)probe;

        // By the size the header declares, before a byte is stored; again when the row is written.
        if (await QuotaProblemAsync(userId, plan, header.FileLength, ct) is { } early)
        {
            return (null, early);
        }

        var id = Ids.New();
        var key = LoraKeys.New(userId, id);
        using var hashing = new HashingStream(prefix, file);
        var keep = false;
        try
        {
            await store.PutStreamAsync(key, hashing, header.FileLength, "application/octet-stream", ct);
            if (await ReadFullyAsync(file, new byte[1], ct) > 0)
            {
                return (null, new LoraOutcome.InvalidSafetensors($"The file has trailing data after its last tensor (it should be {header.FileLength} bytes)."));
            }

            keep = true;
        }
        catch (EndOfStreamException)
        {
            return (null, new LoraOutcome.InvalidSafetensors($"The file is truncated: its header describes {header.FileLength} bytes but it has {hashing.BytesRead}. Upload it again or download it anew."));
        }
        finally
        {
            // Whatever went wrong (a bad file, a client that went away), nothing stays in the store.
            if (!keep)
            {
                await DeleteObjectAsync(key, id);
            }
        }

        return (new LoraReceipt(id, key, fileName, detected.Family, header.FileLength, hashing.HexHash(), detected.TensorCount, detected.TriggerWords), null);
    }

    /// <summary>Writes the row, under the owner's lock so two uploads cannot both squeeze under the quota; on refusal the object is deleted.</summary>
    public async Task<LoraOutcome> CommitAsync(Guid userId, Plan plan, LoraReceipt receipt, string? name, CancellationToken ct)
    {
        var committed = false;
        try
        {
            var display = string.IsNullOrWhiteSpace(name) ? Path.GetFileNameWithoutExtension(receipt.FileName) : name.Trim();
            if (display.Length > MaxNameLength)
            {
                return new LoraOutcome.Invalid("name", $"At most {MaxNameLength} characters.");
            }

            if (!FreeText.IsAllowed(display))
            {
                return new LoraOutcome.Invalid("name", FreeText.Message);
            }

            var now = time.GetUtcNow().UtcDateTime;
            var lora = new Lora
            {
                Id = receipt.Id,
                UserId = userId,
                Name = display.Length == 0 ? receipt.FileName : display,
                FileName = receipt.FileName,
                Family = receipt.Family,
                Bytes = receipt.Bytes,
                FileHash = receipt.Sha256,
                ObjectKey = receipt.ObjectKey,
                TensorCount = receipt.TensorCount,
                TriggerWords = LoraTriggerWords.Join(receipt.TriggerWords),
                CreatedAt = now.AddTicks(-(now.Ticks % 10)),
            };

            await using var tx = await db.BeginWriteAsync(ct);
            await db.LockUserAsync(userId, ct);
            if (await QuotaProblemAsync(userId, plan, receipt.Bytes, ct) is { } late)
            {
                return late;
            }

            db.Loras.Add(lora);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            committed = true;
            return new LoraOutcome.Created(LoraDto.From(lora));
        }
        finally
        {
            if (!committed)
            {
                await DeleteObjectAsync(receipt.ObjectKey, receipt.Id);
            }
        }
    }

    /// <summary>For a receipt the request never committed (it failed or was aborted after the file).</summary>
    public Task DiscardAsync(LoraReceipt receipt) => DeleteObjectAsync(receipt.ObjectKey, receipt.Id);

    public async Task<LoraListDto> ListAsync(Guid userId, CancellationToken ct)
    {
        var rows = await db.Loras.AsNoTracking().Where(l => l.UserId == userId).OrderByDescending(l => l.Id).ToListAsync(ct);
        var plan = await quota.PlanOfAsync(userId, ct);
        var used = await quota.UsedBytesAsync(userId, ct);
        return new LoraListDto(rows.Select(LoraDto.From).ToList(), used, plan.StorageBytes);
    }

    public async Task<LoraDto?> GetAsync(Guid userId, Guid id, CancellationToken ct) =>
        await db.Loras.AsNoTracking().SingleOrDefaultAsync(l => l.Id == id && l.UserId == userId, ct) is { } lora ? LoraDto.From(lora) : null;

    public async Task<LoraDto?> RenameAsync(Guid userId, Guid id, string name, CancellationToken ct)
    {
        var lora = await db.Loras.SingleOrDefaultAsync(l => l.Id == id && l.UserId == userId, ct);
        if (lora is null)
        {
            return null;
        }

        lora.Name = name;
        await db.SaveChangesAsync(ct);
        return LoraDto.From(lora);
    }

    public async Task<LoraChange> DeleteAsync(Guid userId, Guid id, CancellationToken ct)
    {
        string key;
        await using (var tx = await db.BeginWriteAsync(ct))
        {
            // Under the owner's lock, which a submit holds too: no job can start needing it meanwhile.
            await db.LockUserAsync(userId, ct);
            var lora = await db.Loras.SingleOrDefaultAsync(l => l.Id == id && l.UserId == userId, ct);
            if (lora is null)
            {
                return LoraChange.NotFound;
            }

            if (await InUseAsync(userId, id, ct))
            {
                return LoraChange.InUse;
            }

            key = lora.ObjectKey;
            db.Loras.Remove(lora);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        // The row first: a LoRA without its object never shows, an object without a row is only bytes.
        await DeleteObjectAsync(key, id);
        return LoraChange.Done;
    }

    /// <summary>Whether a queued or running job of the owner names the LoRA in <c>job_inputs</c>.</summary>
    private Task<bool> InUseAsync(Guid userId, Guid loraId, CancellationToken ct) =>
        db.JobInputs.Where(i => i.UserId == userId && i.Kind == JobInputKinds.Lora && i.RefId == loraId)
            .Join(db.Jobs, i => i.JobId, j => j.Id, (i, j) => j)
            .AnyAsync(j => j.Status == JobStatus.Queued || j.Status == JobStatus.Running, ct);

    private LoraOutcome.TooLarge TooLarge(long bytes) =>
        new($"The file is at least {bytes} bytes; a LoRA may have at most {MaxBytes} bytes.");

    private async Task<LoraOutcome.OverQuota?> QuotaProblemAsync(Guid userId, Plan plan, long adding, CancellationToken ct) =>
        await quota.CheckAsync(userId, plan, adding, ct) is { } exceeded ? new LoraOutcome.OverQuota(exceeded.Describe("This LoRA")) : null;

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends; returns how many bytes came.</summary>
    private static async Task<int> ReadFullyAsync(Stream stream, Memory<byte> buffer, CancellationToken ct)
    {
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer[total..], ct)) > 0)
        {
            total += read;
        }

        return total;
    }

    /// <summary>Best effort: the row is gone or was never written, so a failure here only leaves an unreachable object.</summary>
    private async Task DeleteObjectAsync(string key, Guid loraId)
    {
        try
        {
            await store.DeleteAsync(key, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not delete the object of LoRA {LoraId}", loraId);
        }
    }
}
