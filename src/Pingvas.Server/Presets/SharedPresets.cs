using Microsoft.EntityFrameworkCore;

using Pingvas.Server.Accounts;
using Pingvas.Server.Admin;
using Pingvas.Server.Catalog;
using Pingvas.Server.Data;

namespace Pingvas.Server.Presets;

/// <summary>
/// Admin-published presets (catalogue data, no owner): shown to the listed plans, at most one the
/// default of each model, every change audit-logged in the same transaction.
/// </summary>
public sealed class SharedPresets(PingvasDb db, PresetService presets, CatalogCache catalogs, AuditLog audit, CurrentUser current, TimeProvider time)
{
    public async Task<SharedPresetList> ListAsync(CancellationToken ct) =>
        new([.. (await db.SharedPresets.AsNoTracking().ToListAsync(ct)).OrderBy(p => p.Name, StringComparer.CurrentCultureIgnoreCase).ThenBy(p => p.Id).Select(Dto)]);

    /// <summary>Creates (<paramref name="id"/> null) or replaces a shared preset; NotFound for an unknown id.</summary>
    public async Task<(SharedPresetDto? Dto, PresetProblem? Problem)> SaveAsync(Guid? id, SharedPresetRequest request, CancellationToken ct)
    {
        var (name, settings, problem) = await presets.CheckAsync(new SavePresetRequest(request.Name, request.Settings), required: true, ct);
        if (problem is not null)
        {
            return (null, problem);
        }

        var plans = request.PlanIds?.Select(p => p.Trim()).Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (plans is null)
        {
            return (null, PresetProblem.Invalid("planIds", "planIds lists the plans that see the preset."));
        }

        var catalog = await catalogs.GetAsync(db, ct);
        if (plans.FirstOrDefault(p => !catalog.Plans.ContainsKey(p)) is { } unknown)
        {
            return (null, PresetProblem.Invalid("planIds", $"'{unknown}' is not a plan."));
        }

        var model = string.IsNullOrWhiteSpace(request.DefaultForModel) ? null : request.DefaultForModel.Trim();
        if (model is not null && catalog.EnabledModel(model) is null)
        {
            return (null, PresetProblem.Invalid("defaultForModel", $"Unknown model '{model}'."));
        }

        if (model is not null && settings!.Model is { } own && own != model)
        {
            return (null, PresetProblem.Invalid("defaultForModel", $"The preset is for '{own}'; a default must be for its own model."));
        }

        await using var tx = await db.BeginWriteAsync(ct);
        var row = id is { } existing ? await db.SharedPresets.SingleOrDefaultAsync(p => p.Id == existing, ct) : null;
        if (id is not null && row is null)
        {
            return (null, PresetProblem.NotFound);
        }

        var now = Now();
        var before = row is null ? null : AuditView(row);
        if (row is null)
        {
            row = new SharedPreset { Id = Ids.New(), Name = "", Settings = "", PlanIds = "", CreatedBy = current.Id, CreatedAt = now };
            db.SharedPresets.Add(row);
        }

        (row.Name, row.Settings, row.PlanIds, row.DefaultForModel, row.UpdatedAt) = (name!, settings!.ToJson(), string.Join(',', plans), model, now);
        await audit.AddAsync(before is null ? "shared_preset.create" : "shared_preset.update", "shared_preset", row.Id.ToString(), before, AuditView(row), ct);

        // One default per model: the new default takes the place of the old, which stays as a plain shared preset.
        if (model is not null)
        {
            var replaced = await db.SharedPresets.Where(p => p.DefaultForModel == model && p.Id != row.Id).ToListAsync(ct);
            foreach (var old in replaced)
            {
                var oldBefore = AuditView(old);
                (old.DefaultForModel, old.UpdatedAt) = (null, now);
                await audit.AddAsync("shared_preset.update", "shared_preset", old.Id.ToString(), oldBefore, AuditView(old), ct);
            }
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (Dto(row), null);
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken ct)
    {
        var row = await db.SharedPresets.SingleOrDefaultAsync(p => p.Id == id, ct);
        if (row is null)
        {
            return false;
        }

        db.SharedPresets.Remove(row);
        await audit.AddAsync("shared_preset.delete", "shared_preset", id.ToString(), AuditView(row), null, ct);
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>What the audit log keeps of a shared preset: everything an admin decides.</summary>
    // Settings as JSON, not text, so the audit page can show each setting on its own line.
    private static object AuditView(SharedPreset p) => new { p.Name, Settings = System.Text.Json.Nodes.JsonNode.Parse(p.Settings), Plans = p.PlanIds, p.DefaultForModel };

    private static SharedPresetDto Dto(SharedPreset p) =>
        new(p.Id, p.Name, PresetSettings.FromJson(p.Settings), PresetService.PlanList(p), p.DefaultForModel, p.CreatedAt, p.UpdatedAt);

    private DateTime Now()
    {
        var now = time.GetUtcNow().UtcDateTime;
        return now.AddTicks(-(now.Ticks % 10));
    }
}
